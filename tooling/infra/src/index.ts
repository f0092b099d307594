export * from "./kafka-local.ts";
export * from "./postgres-server.ts";
export * from "./process-stats.ts";
export * from "./test-env.ts";
export * from "./kafka-cluster.ts";
export { repoRoot } from "./repo-root.ts";
export * from "./infra-env.ts";
