import { describe, expect, it } from "vitest";
import type { Kafka } from "kafkajs";
import { createMissingTopics } from "./topics-admin.ts";

/** An admin whose broker learns of created topics only after `lagCalls` metadata requests. */
function laggingKafka(lagCalls: number, errorType: string) {
  const created = new Set<string>();
  let metadataCalls = 0;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [...created],
    createTopics: async ({
      topics,
      waitForLeaders = true,
    }: {
      topics: { topic: string }[];
      waitForLeaders?: boolean;
    }) => {
      for (const t of topics) created.add(t.topic);
      // As kafkajs: its own wait (the default) gives up on anything but LEADER_NOT_AVAILABLE.
      for (let waiting = waitForLeaders; waiting;) {
        try {
          await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
          waiting = false;
        } catch (err) {
          if ((err as { type?: string }).type !== "LEADER_NOT_AVAILABLE") throw err;
        }
      }
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      metadataCalls++;
      if (metadataCalls <= lagCalls) throw Object.assign(new Error("not yet"), { type: errorType });
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })) };
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls: () => metadataCalls };
}

describe("createMissingTopics", () => {
  it.each(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE"])(
    "waits while the broker answers %s for a topic just created",
    async (errorType) => {
      const { kafka, calls } = laggingKafka(3, errorType);
      expect(await createMissingTopics(kafka, [{ topic: "t", numPartitions: 1 }])).toEqual(["t"]);
      expect(calls()).toBe(4);
    },
  );

  it("passes on any other metadata error", async () => {
    const { kafka } = laggingKafka(1, "TOPIC_AUTHORIZATION_FAILED");
    await expect(createMissingTopics(kafka, [{ topic: "t", numPartitions: 1 }])).rejects.toMatchObject({
      type: "TOPIC_AUTHORIZATION_FAILED",
    });
  });
});
