export * from "./port.ts";
export * from "./topics.ts";
