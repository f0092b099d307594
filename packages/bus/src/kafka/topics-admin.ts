import type { Admin, Kafka } from "kafkajs";
import { topicSpecs, type TopicSpec } from "../topics.ts";

const LEADER_WAIT_MS = 30_000;

/**
 * Creates those of `specs` that do not exist and leaves the others as they are
 * (idempotent), then waits until every partition of the created topics has a
 * leader. Returns the names it created.
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
          configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
        // kafkajs waits by default, and gives up on UNKNOWN_TOPIC_OR_PARTITION (below).
        waitForLeaders: false,
      });
      await waitForLeaders(
        admin,
        missing.map((t) => t.topic),
        LEADER_WAIT_MS,
      );
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

// kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a broker whose
// metadata cache has not caught up with the controller yet answers
// UNKNOWN_TOPIC_OR_PARTITION for a topic created a moment ago: both mean "not yet".
const NOT_YET = new Set(["LEADER_NOT_AVAILABLE", "UNKNOWN_TOPIC_OR_PARTITION"]);

/** The error, or the one kafkajs gave up retrying on, says "not yet". */
function isNotYet(error: unknown): boolean {
  const { type, cause } = error as { type?: string; cause?: { type?: string } };
  return NOT_YET.has(type ?? "") || NOT_YET.has(cause?.type ?? "");
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const led = found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led && found.length === topics.length) return;
    } catch (error) {
      if (!isNotYet(error)) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka created ${topics.join(", ")} but gave them no leader within ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The contract topics under `prefix`, created if missing. */
export async function ensureTopics(kafka: Kafka, partitions: number, prefix = ""): Promise<string[]> {
  return createMissingTopics(kafka, topicSpecs(partitions, prefix));
}
