import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { describeConsumerStop } from "@emote/testkit/consumer-stop";

const dataDir = mkdtempSync(join(tmpdir(), "emote-pulse-stop-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeConsumerStop({
  who: "the embedded mode (npm start) on Kafka",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/main.ts",
  vars: {
    PORT: "0",
    PULSE_DATA_DIR: dataDir,
    PULSE_GENERATOR_RATE: "0",
    WORKER_GROUP_ID: `stop-${process.pid}-${Date.now()}`,
  },
  probesUrl: (line) => (line.msg === "running" ? line.url : undefined),
  // 5 s of failing /readyz, then a stop bounded by 15 s.
  exitWithinMs: 25_000,
});
