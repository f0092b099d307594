import { describe, expect, it } from "vitest";
import type { IncomingRecord } from "../port.ts";
import { memoryBus } from "./memory-bus.ts";

describe("in-process bus across restarts", () => {
  async function produce(bus: ReturnType<typeof memoryBus>, values: string[]): Promise<void> {
    const producer = await bus.producer();
    await producer.send([{ topic: bus.topics.raw, records: values.map((value) => ({ key: "k", value })) }]);
  }

  async function readAll(bus: ReturnType<typeof memoryBus>, expected: number): Promise<IncomingRecord[]> {
    const received: IncomingRecord[] = [];
    const consumer = await bus.consumer({ groupId: "g", topics: [bus.topics.raw], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run(async (batch, control) => {
        received.push(...batch.records);
        const last = batch.records.at(-1);
        if (last) await control.commit(last.offset);
        if (received.length >= expected) resolve();
      });
    });
    await done;
    await consumer.disconnect();
    return received;
  }

  it("continues each partition's offsets at firstOffsets, so offsets only grow across a restart", async () => {
    const first = memoryBus({ partitions: 2 });
    await produce(first, ["a", "b", "c"]);
    const ends = await (await first.consumer({ groupId: "g", topics: [first.topics.raw] })).lag();
    const before = await readAll(first, 3);

    const second = memoryBus({
      partitions: 2,
      firstOffsets: ends.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.end })),
    });
    await produce(second, ["d", "e"]);
    const after = await readAll(second, 2);
    expect(before.map((r) => r.offset)).toEqual(["0", "1", "2"]);
    expect(after.map((r) => [r.offset, String(r.value)])).toEqual([
      ["3", "d"],
      ["4", "e"],
    ]);
    const lag = await (await second.consumer({ groupId: "new", topics: [second.topics.raw] })).lag();
    expect(lag.find((l) => l.end > 0)).toMatchObject({ committed: 3, end: 5, lag: 2 });
    expect(lag.find((l) => l.end === 0)).toMatchObject({ committed: 0, end: 0, lag: 0 });
  });

  it("refuses a first offset that is not a whole number ≥ 0, naming the partition", () => {
    expect(() =>
      memoryBus({ partitions: 1, firstOffsets: [{ topic: "t", partition: 0, offset: -1 }] }),
    ).toThrow("t[0]: first offset -1 is not a whole number ≥ 0");
  });
});
