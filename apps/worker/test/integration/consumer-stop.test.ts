import { fileURLToPath } from "node:url";
import { describeConsumerStop } from "@emote/testkit/consumer-stop";

describeConsumerStop({
  who: "the worker",
  cwd: fileURLToPath(new URL("../..", import.meta.url)),
  entry: "src/main.ts",
  vars: {
    METRICS_PORT: "0",
    WORKER_GROUP_ID: `stop-${process.pid}-${Date.now()}`,
    WORKER_STOPPED_EXIT_MS: "2000",
  },
  probesUrl: (line) => (line.msg?.startsWith("metrics on") ? line.url : undefined),
  // 2 s of failing /readyz, then a stop bounded by WORKER_SHUTDOWN_TIMEOUT_MS (15 s).
  exitWithinMs: 20_000,
});
