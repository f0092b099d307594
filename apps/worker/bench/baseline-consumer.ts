/**
 * The original design, as the baseline: eachMessage, one global buffer for all
 * streamers, analyse every 30 messages and publish the moments before the next message.
 * Run as its own process by bench/pipeline.ts.
 */
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { Kafka, logLevel } from "kafkajs";
import { analyzeBatch, type EmoteEvent } from "../test/reference.ts";

const [brokers, topic, outTopic, groupId] = process.argv.slice(2) as [string, string, string, string];
const kafka = new Kafka({
  brokers: brokers.split(","),
  clientId: "bench-baseline",
  logLevel: logLevel.ERROR,
});
const consumer = kafka.consumer({ groupId });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
let buffer: EmoteEvent[] = [];
await producer.connect();
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const raw = JSON.parse(String(message.value)) as { emote: string; timestamp: string };
    buffer.push({ emote: raw.emote, timestampMs: Date.parse(raw.timestamp) });
    if (buffer.length < DEFAULT_SETTINGS.interval) return;
    const findings = analyzeBatch(buffer, DEFAULT_SETTINGS);
    buffer = [];
    if (findings.length > 0) {
      await producer.send({ topic: outTopic, acks: -1, messages: [{ value: JSON.stringify(findings) }] });
    }
  },
});
process.on("SIGTERM", () => {
  void Promise.all([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0));
});
