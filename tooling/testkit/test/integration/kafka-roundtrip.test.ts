import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Admin, Kafka } from "kafkajs";
import { createKafka, createMissingTopics } from "@emote/bus/kafka";
import { testInfraConfig } from "@emote/infra";

const infra = testInfraConfig();

describe("the real Kafka broker", () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = `it-roundtrip-${randomUUID()}`;

  beforeAll(async () => {
    kafka = createKafka({ brokers: infra.brokers, clientId: "infra-it" });
    admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(kafka, [{ topic, numPartitions: 3 }]);
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("delivers what an idempotent producer sent, in order per key", async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 2}`, value: `m${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `infra-it-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push({ key: String(message.key), value: String(message.value) });
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    const byKey = (k: string, list: { key: string; value: string }[]) =>
      list.filter((m) => m.key === k).map((m) => m.value);
    expect(byKey("k0", received)).toEqual(byKey("k0", sent));
    expect(byKey("k1", received)).toEqual(byKey("k1", sent));
  });
});
