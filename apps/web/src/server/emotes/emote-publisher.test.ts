import { describe, expect, it } from "vitest";
import type { OutgoingRecord } from "@emote/bus";
import { EmoteRefusedError } from "@emote/api";
import { EmotePublisher, type PublisherOptions } from "./emote-publisher.ts";

/** A producer whose requests the test answers by hand. */
function manualProducer() {
  const requests: { records: OutgoingRecord[]; ack(): void; fail(err: Error): void }[] = [];
  return {
    requests,
    send(batches: { topic: string; records: OutgoingRecord[] }[]): Promise<void> {
      return new Promise((resolve, reject) => {
        requests.push({ records: batches.flatMap((b) => b.records), ack: resolve, fail: reject });
      });
    },
  };
}

const options: PublisherOptions = {
  maxPending: 10,
  lingerMs: 1,
  maxBatch: 4,
  ackTimeoutMs: 200,
  retryAfterMs: 100,
};
const record = (n: number): OutgoingRecord => ({ key: "s1", value: String(n) });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 1));
}

async function refusalOf(p: Promise<unknown>): Promise<EmoteRefusedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EmoteRefusedError);
  return err as EmoteRefusedError;
}

describe("EmotePublisher", () => {
  it("batches emotes into one request, one on the wire at a time, and resolves them on the ack", async () => {
    const producer = manualProducer();
    const publisher = new EmotePublisher(producer, "raw", options);
    const first = [1, 2, 3].map((n) => publisher.publish(record(n)));
    await until(() => producer.requests.length === 1);
    expect(producer.requests[0]?.records.map((r) => r.value)).toEqual(["1", "2", "3"]);
    // Queued while the first request is on the wire: they wait for it, then go together.
    const second = [4, 5, 6, 7, 8].map((n) => publisher.publish(record(n)));
    expect(publisher.pending).toBe(8);
    producer.requests[0]?.ack();
    await Promise.all(first);
    await until(() => producer.requests.length === 2);
    expect(producer.requests[1]?.records.map((r) => r.value)).toEqual(["4", "5", "6", "7"]);
    producer.requests[1]?.ack();
    await until(() => producer.requests.length === 3);
    producer.requests[2]?.ack();
    await Promise.all(second);
    expect(publisher.counters).toEqual({ acknowledged: 8, failed: 0, queueFull: 0 });
  });

  it("refuses at once when the queue is full, and never holds more than maxPending", async () => {
    const producer = manualProducer();
    const publisher = new EmotePublisher(producer, "raw", options);
    const held = Array.from({ length: 10 }, (_, n) => publisher.publish(record(n)));
    const err = await refusalOf(publisher.publish(record(99)));
    expect(err.reason).toBe("queue_full");
    expect(publisher.pending).toBe(10);
    await until(() => producer.requests.length === 1);
    producer.requests[0]?.ack();
    await until(() => producer.requests.length === 2);
    producer.requests[1]?.ack();
    await until(() => producer.requests.length === 3);
    producer.requests[2]?.ack();
    await Promise.all(held);
    expect(publisher.counters.queueFull).toBe(1);
  });

  it("fails a late request's emotes and those queued behind it, and refuses new ones at once until it settles", async () => {
    const producer = manualProducer();
    const publisher = new EmotePublisher(producer, "raw", options);
    const onWire = publisher.publish(record(1));
    await until(() => producer.requests.length === 1);
    const queued = publisher.publish(record(2));
    const started = Date.now();
    expect((await refusalOf(onWire)).reason).toBe("unavailable");
    expect((await refusalOf(queued)).reason).toBe("unavailable");
    expect(Date.now() - started).toBeLessThan(2_000);
    // Kafka is still not answering: refused without queueing.
    const refusedAt = Date.now();
    expect((await refusalOf(publisher.publish(record(3)))).reason).toBe("unavailable");
    expect(Date.now() - refusedAt).toBeLessThan(50);
    expect(publisher.pending).toBe(1);
    // The late request lands after all: its emotes stay answered as failed, never as sent.
    producer.requests[0]?.ack();
    await until(() => publisher.pending === 0);
    expect(publisher.counters).toEqual({ acknowledged: 0, failed: 3, queueFull: 0 });
    // Once the refusal pause is over, sends go through again.
    await new Promise((r) => setTimeout(r, options.retryAfterMs + 10));
    const again = publisher.publish(record(4));
    await until(() => producer.requests.length === 2);
    producer.requests[1]?.ack();
    await again;
    expect(publisher.counters.acknowledged).toBe(1);
  });

  it("fails a request Kafka rejects, with the emotes queued behind it", async () => {
    const producer = manualProducer();
    const publisher = new EmotePublisher(producer, "raw", options);
    const a = publisher.publish(record(1));
    await until(() => producer.requests.length === 1);
    const b = publisher.publish(record(2));
    producer.requests[0]?.fail(new Error("NOT_ENOUGH_REPLICAS"));
    expect((await refusalOf(a)).reason).toBe("unavailable");
    expect((await refusalOf(b)).reason).toBe("unavailable");
    expect(publisher.pending).toBe(0);
    expect(publisher.counters.failed).toBe(2);
  });

  it("close sends what is queued and refuses later sends", async () => {
    const producer = manualProducer();
    const publisher = new EmotePublisher(producer, "raw", { ...options, lingerMs: 1_000 });
    const sent = publisher.publish(record(1));
    const closed = publisher.close();
    await until(() => producer.requests.length === 1);
    producer.requests[0]?.ack();
    await closed;
    await sent;
    expect((await refusalOf(publisher.publish(record(2)))).message).toBe("this server is shutting down");
  });
});
