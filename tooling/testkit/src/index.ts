// What tests import: the services they connect to (provisioned by @emote/infra) and the
// helpers that wait, cut connections and stand in for collectors.
export {
  dropDatabase,
  ensureDatabase,
  prepareTestInfra,
  repoRoot,
  testInfraConfig,
  type TestInfra,
} from "@emote/infra";
export * from "./wait-for.ts";
export * from "./tcp-proxy.ts";
export * from "./refused-port.ts";
export * from "./otlp-collector.ts";
export * from "./child-processes.ts";
