import type { Kafka } from "kafkajs";
import { topicSpecs } from "../topics.ts";

/** Creates the missing topics and leaves existing ones as they are (idempotent). */
export async function ensureTopics(kafka: Kafka, partitions: number, prefix = ""): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs(partitions, prefix).filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      // createTopics resolves false when another process created them first; either way they exist.
      await admin.createTopics({
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: -1,
        })),
        waitForLeaders: true,
      });
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}
