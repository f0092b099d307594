import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import { createKafka } from "@emote/bus/kafka";
import { testInfraConfig } from "@emote/testkit";

export const infra = testInfraConfig();

export function testKafka(): Kafka {
  return createKafka({ brokers: infra.brokers, clientId: "generator-it" });
}

/** A topic name no other test run uses; the generator creates it (it is a --topic override). */
export function uniqueTopic(label: string): string {
  return `generator-it-${label}-${randomUUID()}`;
}

export interface Received {
  key: string | null;
  value: string;
  partition: number;
  /** The record's `traceparent` header, as sent. */
  traceparent: string | undefined;
}

/** How many records the topic holds in all, from its partitions' end offsets. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads the topic from the beginning until `expected` records arrived (each partition in order). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: `generator-it-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of ${expected} records within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              received.push({
                key: m.key?.toString() ?? null,
                value: m.value?.toString() ?? "",
                partition: batch.partition,
                traceparent: m.headers?.traceparent?.toString(),
              });
            }
            if (received.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/** Messages per key, in the order the log holds them (Kafka orders per partition, so per key). */
export function perKey<T extends { key: string | null }>(records: T[]): Map<string | null, T[]> {
  const out = new Map<string | null, T[]>();
  for (const r of records) out.set(r.key, [...(out.get(r.key) ?? []), r]);
  return out;
}
