import { describe, expect, it } from "vitest";
import type { OutgoingRecord } from "@emote/bus";
import { generateEmotes, type EmoteMessage } from "./emote-stream.ts";
import { sendEmotes, type Clock } from "./sender.ts";

const START = Date.parse("2025-01-15T10:20:30.000Z");

/** A clock that only moves when slept on (or when the fake producer says so). */
function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (!signal?.aborted) clock.t += ms;
    },
  };
  return clock;
}

interface Sent {
  at: number;
  topic: string;
  records: OutgoingRecord[];
}

function fakeProducer(clock?: { t: number }, ackMs = 0) {
  const sent: Sent[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    sent,
    maxInFlight: () => maxInFlight,
    async send(batches: { topic: string; records: OutgoingRecord[] }[]) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      for (const b of batches) sent.push({ at: clock?.t ?? 0, topic: b.topic, records: b.records });
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (clock) clock.t += ackMs;
      inFlight--;
    },
  };
}

const at = (offsetMs: number, emote = "🔥", streamerId = "s1"): EmoteMessage => ({
  emote,
  timestamp: new Date(START + offsetMs).toISOString(),
  streamerId,
  id: `${streamerId}-${offsetMs}-${emote}`,
});

describe("sendEmotes", () => {
  it("sends as fast as possible in batches, keyed by streamerId, in order, one request at a time", async () => {
    const producer = fakeProducer();
    const messages = [...generateEmotes({ seed: 1, start: START, streamers: 10, count: 10_000 })];
    let acked = 0;
    const sent = await sendEmotes(producer, messages, {
      topic: "t",
      paced: false,
      batchSize: 4_000,
      onSent: (n) => (acked += n),
    });
    expect(sent).toBe(10_000);
    expect(acked).toBe(10_000);
    expect(producer.sent.map((s) => s.records.length)).toEqual([4_000, 4_000, 2_000]);
    expect(producer.maxInFlight()).toBe(1);
    const records = producer.sent.flatMap((s) => s.records);
    expect(records).toEqual(messages.map((m) => ({ key: m.streamerId, value: JSON.stringify(m) })));
    expect(new Set(producer.sent.map((s) => s.topic))).toEqual(new Set(["t"]));
  });

  it("in real time sends each tick when its timestamp is due, measured from the first", async () => {
    const clock = fakeClock();
    const producer = fakeProducer(clock);
    const source = [at(0), at(0, "👍", "s2"), at(1_000), at(1_000), at(1_000), at(2_500)];
    expect(await sendEmotes(producer, source, { topic: "t", paced: true, clock })).toBe(6);
    expect(producer.sent.map((s) => [s.at, s.records.length])).toEqual([
      [0, 2],
      [1_000, 3],
      [2_500, 1],
    ]);
  });

  it("catches up in one go when sending fell behind the clock", async () => {
    const clock = fakeClock();
    const producer = fakeProducer(clock, 5_000); // every ack takes 5 s of wall time
    const source = [at(0), at(1_000), at(2_000), at(3_000), at(4_000)];
    await sendEmotes(producer, source, { topic: "t", paced: true, clock });
    // Tick 1 goes out when tick 0 is acked (6 s); when that is acked (11 s), ticks 2–4 are
    // long due and go out together instead of one by one.
    expect(producer.sent.map((s) => [s.at, s.records.length])).toEqual([
      [0, 1],
      [6_000, 1],
      [11_000, 3],
    ]);
  });

  it("on abort stops taking emotes, still sends those due, and resolves", async () => {
    const controller = new AbortController();
    const clock = fakeClock();
    const producer = fakeProducer(clock);
    clock.sleep = async () => controller.abort(); // the stop arrives while waiting for the next tick
    const source = [at(0), at(0), at(1_000), at(2_000)];
    const sent = await sendEmotes(producer, source, {
      topic: "t",
      paced: true,
      clock,
      signal: controller.signal,
    });
    expect(sent).toBe(2);
    expect(producer.sent.flatMap((s) => s.records.map((r) => JSON.parse(String(r.value)).timestamp))).toEqual(
      [at(0).timestamp, at(0).timestamp],
    );
  });

  it("on abort in --max mode sends what it took and pulls no more", async () => {
    const controller = new AbortController();
    const producer = fakeProducer();
    let pulled = 0;
    function* source() {
      for (const m of generateEmotes({ seed: 1, start: START })) {
        pulled++;
        if (pulled === 2_500) controller.abort();
        yield m;
      }
    }
    const sent = await sendEmotes(producer, source(), {
      topic: "t",
      paced: false,
      batchSize: 1_000,
      signal: controller.signal,
    });
    expect(sent).toBe(2_499);
    expect(pulled).toBe(2_500);
  });

  it("rejects with the producer's error instead of carrying on", async () => {
    let calls = 0;
    const producer = {
      send: async () => {
        if (++calls === 2) throw new Error("broker said no");
      },
    };
    const source = generateEmotes({ seed: 1, start: START, count: 10_000 });
    await expect(
      sendEmotes(producer, source, { topic: "t", paced: false, batchSize: 1_000 }),
    ).rejects.toThrow("broker said no");
    expect(calls).toBe(2);
  });
});
