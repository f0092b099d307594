export * from "./kafka-local.ts";
export * from "./postgres-server.ts";
export * from "./process-stats.ts";
export * from "./refused-port.ts";
export * from "./test-env.ts";
export * from "./wait-for.ts";
export * from "./tcp-proxy.ts";
export * from "./otlp-collector.ts";
