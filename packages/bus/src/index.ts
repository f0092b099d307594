export * from "./port.ts";
export * from "./topics.ts";
export * from "./readiness.ts";
