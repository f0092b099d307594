import { isDeepStrictEqual } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_EMOTES, ViewerSketch, windowStatsSchema, type WindowStats } from "@emote/contracts";
import { generateEmotes } from "@emote/generator/stream";
import { minuteStart } from "../../src/analysis/index.ts";
import { startWorker, type RunningWorker } from "../../src/worker.ts";
import {
  busFor,
  collect,
  isolatedEnv,
  produceRaw,
  testObservability,
  waitFor,
  type RawMessage,
} from "../harness.ts";

const running: RunningWorker[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

/** Every emote of the stream counted per (streamer, UTC minute), as WindowStats keyed by both. */
function expectedStats(messages: RawMessage[]): Map<string, WindowStats> {
  const out = new Map<string, WindowStats>();
  for (const m of messages) {
    const streamerId = m.streamerId ?? "default";
    const windowStart = new Date(minuteStart(Date.parse(m.timestamp))).toISOString();
    const key = `${streamerId} ${windowStart}`;
    const stats = out.get(key) ?? { streamerId, windowStart, counts: {}, total: 0 };
    stats.counts[m.emote] = (stats.counts[m.emote] ?? 0) + 1;
    stats.total++;
    out.set(key, stats);
  }
  return out;
}

describe("emote-window-stats on the real Kafka", () => {
  it("ends with, per streamer and minute, the counts of every emote sent (allowed or not)", async () => {
    const env = isolatedEnv();
    const bus = busFor(env);
    await bus.ensureTopics();
    // A window of time no other test run uses, so the moments this stores are ours alone.
    const start = Date.UTC(2003, 0, 1) + Math.floor(Math.random() * 5_000_000) * 60_000;
    const sent: RawMessage[] = [
      ...generateEmotes({ seed: 23, streamers: 4, start, count: 2_000, emotes: [...DEFAULT_EMOTES, "🦄"] }),
    ];
    const bad = ["not json", JSON.stringify({ emote: "🔥", timestamp: "soon", streamerId: "s1" })];
    const expected = expectedStats(sent);
    expect(expected.size).toBeGreaterThan(8);
    expect([...expected.values()].some((s) => (s.counts["🦄"] ?? 0) > 0)).toBe(true);

    const out = await collect(bus, bus.topics.stats);
    const worker = await startWorker(env, testObservability());
    running.push(worker);
    // In two parts: the second comes within a second of the first's publication, so its
    // counts are held back by the throttle until the worker's timer sends them.
    await produceRaw(bus, [...sent.slice(0, 1_000), ...bad]);
    await waitFor(
      "the first part consumed",
      async () => (await worker.metrics.totals()).consumed === 1_000 + bad.length,
    );
    await produceRaw(bus, sent.slice(1_000));
    await waitFor(
      "all emotes consumed",
      async () => (await worker.metrics.totals()).consumed === sent.length + bad.length,
    );

    // Records of one streamer share a partition, so the last one seen per (streamer, minute)
    // is the latest published.
    // Counts only: viewer sketches carry what rose since the last record, checked below.
    const latest = () => {
      const byKey = new Map<string, WindowStats>();
      for (const r of out.records) {
        const { viewers: _sketches, ...stats } = windowStatsSchema.parse(JSON.parse(String(r.value)));
        byKey.set(`${stats.streamerId} ${stats.windowStart}`, stats);
      }
      return byKey;
    };
    await waitFor(
      "the final counts on emote-window-stats",
      () => isDeepStrictEqual(latest(), expected),
      15_000,
    )
      // Show the difference rather than a timeout.
      .catch(() => undefined);
    await out.stop();
    expect(latest()).toEqual(expected);
    // No viewer header: each record is a viewer of its own, so a minute's distinct viewers (the
    // union of its buckets' sketches, summed over buckets) are its emotes, within the sketch's error.
    const viewers = new Map<string, Map<string, ViewerSketch>>();
    for (const r of out.records) {
      const stats = windowStatsSchema.parse(JSON.parse(String(r.value)));
      const key = `${stats.streamerId} ${stats.windowStart}`;
      const buckets = viewers.get(key) ?? new Map<string, ViewerSketch>();
      viewers.set(key, buckets);
      for (const b of stats.viewers ?? []) {
        const held = buckets.get(b.bucketStart) ?? new ViewerSketch();
        held.unionEncoded(b.sketch);
        buckets.set(b.bucketStart, held);
      }
    }
    for (const [key, stats] of expected) {
      const distinct = [...(viewers.get(key)?.values() ?? [])].reduce((n, s) => n + s.estimate(), 0);
      expect(Math.abs(distinct - stats.total), key).toBeLessThanOrEqual(Math.max(1, stats.total * 0.05));
    }
    for (const r of out.records) {
      const stats = JSON.parse(String(r.value)) as WindowStats;
      expect(String(r.key)).toBe(stats.streamerId);
      expect(stats.total).toBe(Object.values(stats.counts).reduce((a, b) => a + b, 0));
    }
  });
});
