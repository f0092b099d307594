import { fileURLToPath } from "node:url";
import { describeStartFailures } from "@emote/testkit/start-failures";

describeStartFailures({
  who: "the worker",
  service: "emote-worker",
  cwd: fileURLToPath(new URL("../..", import.meta.url)),
  entry: "src/main.ts",
  portVariable: "METRICS_PORT",
});
