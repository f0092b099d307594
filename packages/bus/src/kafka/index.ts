export * from "./client.ts";
export * from "./kafka-bus.ts";
export * from "./reachability.ts";
export * from "./topics-admin.ts";
export * from "./open-bus.ts";
