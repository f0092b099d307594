import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { kafkaLogCreator } from "./kafka-logs.ts";
import { createLogger } from "./logger.ts";

/** A kafkajs log function writing into a logger whose JSON lines land in `lines`. */
function capture(lines: string[]): ReturnType<ReturnType<typeof kafkaLogCreator>> {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ service: "worker", env: { LOG_LEVEL: "info" }, destination });
  return kafkaLogCreator(log)(2);
}

function parsed(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("kafkaLogCreator", () => {
  it("writes kafkajs entries as JSON lines of the process logger", () => {
    const lines: string[] = [];
    const entry = capture(lines);
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

describe("kafkaLogCreator, routine group errors", () => {
  it("logs kafkajs's failed responses during a rebalance or coordinator move at warn", () => {
    const lines: string[] = [];
    const entry = capture(lines);
    // As kafkajs's Connection logs a failed response: the error's message in `error`.
    for (const error of [
      "The group is rebalancing, so a rejoin is needed",
      "This is not the correct coordinator for this group",
      "Specified group generation id is not valid",
      "The coordinator is loading and hence can't process requests for this group",
      "The group coordinator is not available",
    ]) {
      entry({
        namespace: "Connection",
        level: 1,
        log: { message: "Response Heartbeat(key: 12, version: 3)", error, correlationId: 7, size: 10 },
      });
    }
    // The error itself, with its kafkajs type, and the error's message as the entry's.
    entry({
      namespace: "Runner",
      level: 1,
      log: {
        message: "Commit failed",
        error: { type: "REBALANCE_IN_PROGRESS", name: "KafkaJSProtocolError" },
      },
    });
    entry({
      namespace: "Consumer",
      level: 1,
      log: { message: "This is not the correct coordinator for this group" },
    });
    expect(parsed(lines).map((line) => line.level)).toEqual([40, 40, 40, 40, 40, 40, 40]);
    expect(parsed(lines)[0]).toMatchObject({
      namespace: "Connection",
      msg: "Response Heartbeat(key: 12, version: 3)",
      error: "The group is rebalancing, so a rejoin is needed",
      correlationId: 7,
    });
  });

  it("keeps every other kafkajs error at error, and other levels as they are", () => {
    const lines: string[] = [];
    const entry = capture(lines);
    entry({
      namespace: "Connection",
      level: 1,
      log: {
        message: "Response Heartbeat(key: 12, version: 3)",
        error: "The coordinator is not aware of this member",
      },
    });
    entry({
      namespace: "Runner",
      level: 1,
      log: { message: "Error when calling eachBatch", error: { type: "UNKNOWN_MEMBER_ID" } },
    });
    // A crash stays an error even when a rebalance caused it: the consumer stopped.
    entry({
      namespace: "Consumer",
      level: 1,
      log: { message: "Crash: KafkaJSProtocolError: The group is rebalancing, so a rejoin is needed" },
    });
    entry({
      namespace: "Runner",
      level: 2,
      log: {
        message: "The group is rebalancing, re-joining",
        error: "The group is rebalancing, so a rejoin is needed",
      },
    });
    entry({ namespace: "Consumer", level: 4, log: { message: "The group coordinator is not available" } });
    expect(parsed(lines).map((line) => line.level)).toEqual([50, 50, 50, 40, 30]);
  });
});
