import { describe, expect, it } from "vitest";
import { readPulseEnv, workerGroupId } from "./env.ts";

describe("workerGroupId", () => {
  it("keeps the in-process bus's checkpoints apart from Kafka's in a shared PostgreSQL", () => {
    const db = "postgres://postgres@127.0.0.1:5432/emote";
    expect(workerGroupId(readPulseEnv({ DATABASE_URL: db }))).toBe("emote-worker-in-process");
    expect(workerGroupId(readPulseEnv({ DATABASE_URL: db, KAFKA_BROKERS: "127.0.0.1:9092" }))).toBe(
      "emote-worker",
    );
    expect(workerGroupId(readPulseEnv({}))).toBe("emote-worker");
    expect(workerGroupId(readPulseEnv({ DATABASE_URL: db, WORKER_GROUP_ID: "g" }))).toBe("g-in-process");
  });
});
