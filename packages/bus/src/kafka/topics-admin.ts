import type { Kafka } from "kafkajs";
import { topicSpecs, type TopicSpec } from "../topics.ts";

/**
 * Creates those of `specs` that do not exist and leaves the others as they are
 * (idempotent). Returns the names it created.
 */
export async function createMissingTopics(kafka: Kafka, specs: TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((t) => !existing.has(t.topic));
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

/** The contract topics under `prefix`, created if missing. */
export async function ensureTopics(kafka: Kafka, partitions: number, prefix = ""): Promise<string[]> {
  return createMissingTopics(kafka, topicSpecs(partitions, prefix));
}
