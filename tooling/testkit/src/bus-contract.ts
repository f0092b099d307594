import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { isRecordRejected, type Bus, type BusConsumer, type IncomingRecord } from "@emote/bus";

/**
 * What every bus adapter must do, as the apps rely on it. Run against the in-process bus
 * (src/bus-contract.test.ts) and against the real Kafka (test/integration).
 * `makeBus` gets a fresh topic prefix per test.
 */
export function describeBusContract(
  name: string,
  makeBus: (topicPrefix: string) => Bus,
  timeoutMs = 30_000,
): void {
  describe(`bus contract: ${name}`, () => {
    const consumers: BusConsumer[] = [];
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    });

    async function fresh(): Promise<Bus> {
      const bus = makeBus(`contract-${randomUUID().slice(0, 8)}.`);
      await bus.ensureTopics();
      return bus;
    }

    async function consume(
      bus: Bus,
      topic: string,
      groupId: string,
      fromBeginning = true,
      commitIntervalMs?: number,
    ) {
      const received: (IncomingRecord & { partition: number })[] = [];
      const consumer = await bus.consumer({
        groupId,
        topics: [topic],
        fromBeginning,
        ...(commitIntervalMs === undefined ? {} : { commitIntervalMs }),
      });
      consumers.push(consumer);
      const joined = new Promise<void>((resolve) => consumer.onRebalance(resolve));
      await consumer.run(async (batch, control) => {
        for (const r of batch.records) received.push({ ...r, partition: batch.partition });
        const last = batch.records.at(-1);
        if (last) await control.commit(last.offset);
      });
      await joined;
      return { consumer, received };
    }

    async function until(what: string, check: () => boolean): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    const text = (r: IncomingRecord) => String(r.value);

    it("delivers a topic's records to its subscribers only, with keys and headers", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      await producer.send([
        {
          topic: bus.topics.raw,
          records: [
            { key: "k1", value: "r1", headers: { h: "v" } },
            { key: "k2", value: "r2" },
          ],
        },
        { topic: bus.topics.dlq, records: [{ key: null, value: "d1" }] },
      ]);
      const raw = await consume(bus, bus.topics.raw, `g-${randomUUID()}`);
      await until("the raw records", () => raw.received.length === 2);
      expect(raw.received.map(text).sort()).toEqual(["r1", "r2"]);
      const r1 = raw.received.find((r) => text(r) === "r1");
      expect(String(r1?.key)).toBe("k1");
      const h = r1?.headers?.h;
      expect(String(Array.isArray(h) ? h[0] : h)).toBe("v");
      await producer.disconnect();
    });

    it("commits periodically when asked: the group catches up within the interval, on leaving, and a restart reads on", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      const send = (from: number, n: number) =>
        producer.send([
          {
            topic: bus.topics.raw,
            records: Array.from({ length: n }, (_, i) => ({ key: "k", value: `r${from + i}` })),
          },
        ]);
      const groupId = `g-${randomUUID()}`;
      await send(0, 10);
      const first = await consume(bus, bus.topics.raw, groupId, true, 300);
      await until("the first ten", () => first.received.length === 10);
      // By the timer, with no batch after the last one.
      let lags = await first.consumer.lag();
      const deadline = Date.now() + timeoutMs;
      while (lags.some((l) => l.lag > 0) && Date.now() < deadline) lags = await first.consumer.lag();
      expect(lags.reduce((sum, l) => sum + l.committed, 0)).toBe(10);
      // Then by disconnect(), which sends what is pending.
      await send(10, 3);
      await until("three more", () => first.received.length === 13);
      await first.consumer.disconnect();
      consumers.splice(consumers.indexOf(first.consumer), 1);
      await send(13, 2);
      const second = await consume(bus, bus.topics.raw, groupId, true, 300);
      await until("the two sent since", () => second.received.length >= 2);
      expect(second.received.map(text)).toEqual(["r13", "r14"]);
      await producer.disconnect();
    });

    it("lets the batch in hand finish on disconnect and commits it: the group reads on after it", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      const groupId = `g-${randomUUID()}`;
      await producer.send([{ topic: bus.topics.raw, records: [{ key: "k", value: "r0" }] }]);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inHand!: () => void;
      const started = new Promise<void>((r) => (inHand = r));
      const consumer = await bus.consumer({ groupId, topics: [bus.topics.raw], commitIntervalMs: 60_000 });
      const joined = new Promise<void>((resolve) => consumer.onRebalance(resolve));
      await consumer.run(async (batch, control) => {
        inHand();
        await held;
        const last = batch.records.at(-1);
        if (last) await control.commit(last.offset);
      });
      await joined;
      await started;
      const leaving = consumer.disconnect();
      release();
      await leaving;
      await producer.send([{ topic: bus.topics.raw, records: [{ key: "k", value: "r1" }] }]);
      const next = await consume(bus, bus.topics.raw, groupId);
      await until("the record sent since", () => next.received.length >= 1);
      expect(next.received.map(text)).toEqual(["r1"]);
      await producer.disconnect();
    });

    it("keeps each key on one partition, in the order sent", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      const sent = Array.from({ length: 200 }, (_, i) => ({ key: `key-${i % 7}`, value: `${i % 7}:${i}` }));
      for (let i = 0; i < sent.length; i += 50)
        await producer.send([{ topic: bus.topics.raw, records: sent.slice(i, i + 50) }]);
      const { received } = await consume(bus, bus.topics.raw, `g-${randomUUID()}`);
      await until("every record", () => received.length === sent.length);
      for (let k = 0; k < 7; k++) {
        const mine = received.filter((r) => String(r.key) === `key-${k}`);
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        expect(mine.map(text)).toEqual(sent.filter((s) => s.key === `key-${k}`).map((s) => s.value));
      }
      await producer.disconnect();
    });

    it("resumes a group after its committed offsets, and starts a new group at the end when asked", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      await producer.send([
        { topic: bus.topics.raw, records: ["a", "b", "c"].map((v) => ({ key: "k", value: v })) },
      ]);
      const groupId = `g-${randomUUID()}`;
      const first = await consume(bus, bus.topics.raw, groupId);
      await until("the first member's records", () => first.received.length === 3);
      await first.consumer.disconnect();
      consumers.splice(consumers.indexOf(first.consumer), 1);

      await producer.send([
        { topic: bus.topics.raw, records: ["d", "e"].map((v) => ({ key: "k", value: v })) },
      ]);
      const second = await consume(bus, bus.topics.raw, groupId);
      await until("the records after the commit", () => second.received.length === 2);
      expect(second.received.map(text)).toEqual(["d", "e"]);

      const latest = await consume(bus, bus.topics.raw, `g-${randomUUID()}`, false);
      await producer.send([{ topic: bus.topics.raw, records: [{ key: "k", value: "f" }] }]);
      await until("the record after a new group joined at the end", () => latest.received.length === 1);
      expect(latest.received.map(text)).toEqual(["f"]);
      await producer.disconnect();
    });

    it("gives each batch its partition's end offset: past every record it holds, where the log ends", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      await producer.send([
        { topic: bus.topics.raw, records: ["a", "b", "c"].map((v) => ({ key: "k", value: v })) },
      ]);
      const batches: { last: bigint; end: bigint }[] = [];
      const consumer = await bus.consumer({ groupId: `g-${randomUUID()}`, topics: [bus.topics.raw] });
      consumers.push(consumer);
      await consumer.run(async (batch, control) => {
        const last = batch.records.at(-1);
        if (!last) return;
        batches.push({ last: BigInt(last.offset), end: BigInt(batch.end) });
        await control.commit(last.offset);
      });
      await until("the records", () => batches.some((b) => b.last === 2n));
      for (const b of batches) expect(b.end).toBeGreaterThan(b.last);
      expect(batches.at(-1)?.end).toBe(3n);
      await producer.disconnect();
    });

    it("reports membership, record timestamps and the group's lag per partition", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      const before = Date.now();
      await producer.send([
        { topic: bus.topics.raw, records: ["a", "b", "c"].map((v) => ({ key: "k", value: v })) },
      ]);
      const groupId = `g-${randomUUID()}`;
      const { consumer, received } = await consume(bus, bus.topics.raw, groupId);
      expect(consumer.joined()).toBe(true);
      await until("the records", () => received.length === 3);
      expect(Number(received[0]?.timestamp)).toBeGreaterThanOrEqual(before - 1_000);
      // Committed after the handler returned: poll until the lag reads zero.
      let lags = await consumer.lag();
      const deadline = Date.now() + timeoutMs;
      while (lags.some((l) => l.lag > 0) && Date.now() < deadline) lags = await consumer.lag();
      const mine = lags.find((l) => l.partition === received[0]?.partition);
      expect(mine).toMatchObject({ topic: bus.topics.raw, committed: 3, end: 3, lag: 0 });
      expect(lags).toHaveLength(new Set(lags.map((l) => l.partition)).size);

      await consumer.disconnect();
      consumers.splice(consumers.indexOf(consumer), 1);
      expect(consumer.joined()).toBe(false);
      await producer.send([{ topic: bus.topics.raw, records: [{ key: "k", value: "d" }] }]);
      const idle = await bus.consumer({ groupId, topics: [bus.topics.raw] });
      consumers.push(idle);
      expect(idle.joined()).toBe(false);
      expect((await idle.lag()).find((l) => l.partition === mine?.partition)).toMatchObject({
        committed: 3,
        end: 4,
        lag: 1,
      });
      await producer.disconnect();
    });

    it("shares a topic's partitions between the members of a group: each record once", async () => {
      const bus = await fresh();
      const groupId = `g-${randomUUID()}`;
      const a = await consume(bus, bus.topics.raw, groupId);
      const b = await consume(bus, bus.topics.raw, groupId);
      const producer = await bus.producer();
      const sent = Array.from({ length: 60 }, (_, i) => ({ key: `key-${i % 12}`, value: `v${i}` }));
      await producer.send([{ topic: bus.topics.raw, records: sent }]);
      await until("every record, once", () => a.received.length + b.received.length >= sent.length);
      await new Promise((r) => setTimeout(r, 200));
      const all = [...a.received, ...b.received].map(text).sort();
      expect(all).toEqual(sent.map((s) => s.value).sort());
      await producer.disconnect();
    });

    it("says how large a record each topic takes, sends many records up to it, and refuses a larger one for good", async () => {
      const bus = await fresh();
      const limit = await bus.maxMessageBytes(bus.topics.dlq);
      expect(limit).toBeGreaterThan(64 * 1024);
      const producer = await bus.producer();
      // Together far over the limit, each well under it: the bus splits the send.
      const many = Array.from({ length: 4 }, (_, i) => ({
        key: "k",
        value: `${i}`.padEnd(Math.floor(limit / 2), "x"),
      }));
      await producer.send([{ topic: bus.topics.dlq, records: many }]);
      const dlq = await consume(bus, bus.topics.dlq, `g-${randomUUID()}`);
      await until("the large records", () => dlq.received.length === 4);
      expect(dlq.received.map((r) => text(r)[0])).toEqual(["0", "1", "2", "3"]);
      const err = await producer
        .send([{ topic: bus.topics.dlq, records: [{ key: "k", value: "x".repeat(limit + 1) }] }])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isRecordRejected(err)).toBe(true);
      await producer.disconnect();
    });

    it("stops a consumer for good on a handler error marked retriable: false, and says so", async () => {
      const bus = await fresh();
      const producer = await bus.producer();
      await producer.send([{ topic: bus.topics.raw, records: [{ key: "k", value: "v" }] }]);
      const consumer = await bus.consumer({ groupId: `g-${randomUUID()}`, topics: [bus.topics.raw] });
      consumers.push(consumer);
      const stopped = new Promise<Error>((resolve) => consumer.onStopped(resolve));
      await consumer.run(async () => {
        throw Object.assign(new Error("poison"), { retriable: false });
      });
      expect((await stopped).message).toContain("poison");
      await until("the member to leave", () => !consumer.joined());
      await producer.disconnect();
    });
  });
}
