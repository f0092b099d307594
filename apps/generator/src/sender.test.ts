import { describe, expect, it } from "vitest";
import type { OutgoingRecord } from "@emote/bus";
import {
  createLogger,
  parseTraceparent,
  SpanKind,
  startTracing,
  traceIdOf,
  type Tracing,
} from "@emote/observability";
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
    expect(records).toEqual(
      messages.map((m) => ({
        key: m.streamerId,
        value: JSON.stringify(m),
        headers: { traceparent: expect.any(String) },
      })),
    );
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

/** Tracing that records what the sender asks of it; exporting or not, as the process's would. */
function recordingTracing(exporting: boolean) {
  const inner = startTracing({ service: "test" });
  const spans: { name: string; parent?: string; kind?: SpanKind; attributes?: object; ended: number }[] = [];
  const tracing: Tracing = {
    exporting,
    startSpan: (name, opts) => {
      const handle = inner.startSpan(name, opts);
      const span = { name, ...opts, ended: 0 };
      spans.push(span);
      return { traceparent: handle.traceparent, end: () => span.ended++ };
    },
    shutdown: async () => undefined,
  };
  return { tracing, spans };
}

/** A pino logger whose lines land in an array. */
function memoryLogger(level: "info" | "debug") {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: "test",
    env: { LOG_LEVEL: level },
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { log, lines };
}

const headerOf = (r: OutgoingRecord) => r.headers?.traceparent as string;

describe("sendEmotes trace context", () => {
  it("gives every record a valid traceparent header with a trace id of its own", async () => {
    const producer = fakeProducer();
    await sendEmotes(producer, generateEmotes({ seed: 1, start: START, streamers: 3, count: 5_000 }), {
      topic: "t",
      paced: false,
      batchSize: 1_000,
    });
    const headers = producer.sent.flatMap((s) => s.records.map(headerOf));
    expect(headers).toHaveLength(5_000);
    for (const h of headers) expect(parseTraceparent(h), h).toBeDefined();
    expect(new Set(headers.map(traceIdOf)).size).toBe(5_000);
  });

  it("keeps a message's own traceparent as the header, out of the value", async () => {
    const producer = fakeProducer();
    const recorded = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const traced = { ...at(0), traceparent: recorded };
    await sendEmotes(producer, [traced, at(1)], { topic: "t", paced: false });
    const [first, second] = producer.sent.flatMap((s) => s.records);
    expect(headerOf(first!)).toBe(recorded);
    expect(JSON.parse(String(first!.value))).toEqual(at(0));
    expect(traceIdOf(headerOf(second!))).not.toBe(traceIdOf(recorded));
  });

  it("starts one producer span per emote, with its attributes when exporting, ended on the ack", async () => {
    const { tracing, spans } = recordingTracing(true);
    let release!: () => void;
    const acked = new Promise<void>((resolve) => (release = resolve));
    const sent: OutgoingRecord[] = [];
    const producer = {
      send: async (batches: { records: OutgoingRecord[] }[]) => {
        sent.push(...batches.flatMap((b) => b.records));
        await acked;
      },
    };
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const sending = sendEmotes(producer, [at(0, "🔥", "s1"), { ...at(0, "👍", "s2"), traceparent: parent }], {
      topic: "t",
      paced: false,
      tracing,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(spans.map((s) => s.ended)).toEqual([0, 0]); // not acknowledged yet
    release();
    await sending;
    expect(spans).toEqual([
      {
        name: "emote produce",
        parent: undefined,
        kind: SpanKind.PRODUCER,
        attributes: { "emote.streamer_id": "s1", "emote.emote": "🔥" },
        ended: 1,
      },
      {
        name: "emote produce",
        parent,
        kind: SpanKind.PRODUCER,
        attributes: { "emote.streamer_id": "s2", "emote.emote": "👍" },
        ended: 1,
      },
    ]);
    expect(headerOf(sent[1]!)).toBe(parent); // not exporting underneath: the parent passes through
  });

  it("ends the spans of a batch that failed too", async () => {
    const { tracing, spans } = recordingTracing(true);
    const producer = {
      send: async () => {
        throw new Error("broker said no");
      },
    };
    await expect(sendEmotes(producer, [at(0), at(1)], { topic: "t", paced: false, tracing })).rejects.toThrow(
      "broker said no",
    );
    expect(spans.map((s) => s.ended)).toEqual([1, 1]);
  });

  it("logs each acknowledged emote with its trace id at debug level only", async () => {
    const producer = fakeProducer();
    const debug = memoryLogger("debug");
    await sendEmotes(producer, [at(0, "🔥", "s1"), at(0, "👍", "s2")], {
      topic: "t",
      paced: false,
      log: debug.log,
    });
    const headers = producer.sent.flatMap((s) => s.records.map(headerOf));
    expect(
      debug.lines.map(({ msg, traceId, streamerId, emote }) => ({ msg, traceId, streamerId, emote })),
    ).toEqual([
      { msg: "emote sent", traceId: traceIdOf(headers[0]), streamerId: "s1", emote: "🔥" },
      { msg: "emote sent", traceId: traceIdOf(headers[1]), streamerId: "s2", emote: "👍" },
    ]);

    const info = memoryLogger("info");
    await sendEmotes(fakeProducer(), [at(0)], { topic: "t", paced: false, log: info.log });
    expect(info.lines).toEqual([]);
  });
});

describe("sendEmotes progress", () => {
  it("counts emotes taken and acknowledged, so what is pending can be told", async () => {
    const progress = { taken: 0, sent: 0 };
    let release!: () => void;
    const acked = new Promise<void>((resolve) => (release = resolve));
    const producer = { send: () => acked };
    const sending = sendEmotes(producer, generateEmotes({ seed: 1, start: START, count: 2_500 }), {
      topic: "t",
      paced: false,
      batchSize: 1_000,
      progress,
    });
    // The first batch is on the wire, the second one built and waiting for it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(progress).toEqual({ taken: 2_000, sent: 0 });
    release();
    await sending;
    expect(progress).toEqual({ taken: 2_500, sent: 2_500 });
  });
});
