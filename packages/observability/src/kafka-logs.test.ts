import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { kafkaLogCreator } from "./kafka-logs.ts";
import { createLogger } from "./logger.ts";

describe("kafkaLogCreator", () => {
  it("writes kafkajs entries as JSON lines of the process logger", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ service: "worker", env: { LOG_LEVEL: "info" }, destination });
    const entry = kafkaLogCreator(log)(2);
    entry({
      namespace: "Connection",
      level: 1,
      log: { message: "Connection error", timestamp: "t", logger: "kafkajs", broker: "127.0.0.1:1" },
    });
    entry({ namespace: "Consumer", level: 5, log: { message: "fetch" } });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 50,
      service: "worker",
      component: "kafkajs",
      namespace: "Connection",
      broker: "127.0.0.1:1",
      msg: "Connection error",
    });
    expect(line).not.toHaveProperty("logger");
  });
});
