import { describe, expect, it } from "vitest";
import { ViewerSketch, windowStatsSchema, type WindowStats } from "@emote/contracts";
import { WindowStatsTracker } from "./window-stats.ts";

/** 2025-01-15 10:mm:ss UTC in ms. */
const at = (minute: number, second = 0) => Date.UTC(2025, 0, 15, 10, minute, second);
const iso = (minute: number) => new Date(at(minute)).toISOString();

describe("WindowStatsTracker", () => {
  it("counts every emote per streamer and UTC minute, and hands out each changed minute once", () => {
    const t = new WindowStatsTracker();
    t.add("s1", "🔥", at(20, 1));
    t.add("s1", "🔥", at(20, 59));
    t.add("s1", "🦄", at(20, 30)); // not an allowed emote by default: counted all the same
    t.add("s2", "😀", at(20, 5));
    t.add("s1", "😀", at(21, 0));

    const first = t.take(0);
    expect(first).toEqual([
      { streamerId: "s1", windowStart: iso(20), counts: { "🔥": 2, "🦄": 1 }, total: 3 },
      { streamerId: "s1", windowStart: iso(21), counts: { "😀": 1 }, total: 1 },
      { streamerId: "s2", windowStart: iso(20), counts: { "😀": 1 }, total: 1 },
    ]);
    for (const r of first) expect(windowStatsSchema.parse(r)).toEqual(r);
    // Nothing changed since: nothing is due, however late.
    expect(t.take(60_000)).toEqual([]);
  });

  it("publishes a streamer at most once per interval, and then only the minutes that changed, with their full counts", () => {
    const t = new WindowStatsTracker({ intervalMs: 1000 });
    t.add("s1", "🔥", at(20));
    t.add("s1", "😀", at(21));
    expect(t.take(10_000)).toHaveLength(2);

    t.add("s1", "🔥", at(21, 30));
    t.add("s2", "👍", at(5)); // s2 was never published: due at once
    expect(t.take(10_500)).toEqual([
      { streamerId: "s2", windowStart: iso(5), counts: { "👍": 1 }, total: 1 },
    ]);
    t.add("s1", "🔥", at(21, 40));
    expect(t.take(10_999)).toEqual([]); // s1: 999 ms since its last publication
    // Minute 20 did not change, so only 21 is sent, with everything counted so far.
    expect(t.take(11_000)).toEqual([
      { streamerId: "s1", windowStart: iso(21), counts: { "😀": 1, "🔥": 2 }, total: 3 },
    ]);
    // `all` ignores the interval (used when the worker stops).
    t.add("s1", "🔥", at(21, 50));
    expect(t.take(11_001)).toEqual([]);
    expect(t.take(11_001, { all: true })).toEqual([
      { streamerId: "s1", windowStart: iso(21), counts: { "😀": 1, "🔥": 3 }, total: 4 },
    ]);
  });

  it("marks a minute changed again when emotes come back to it after another minute", () => {
    const t = new WindowStatsTracker();
    t.add("s1", "🔥", at(20));
    t.add("s1", "🔥", at(21));
    t.take(0);
    t.add("s1", "🔥", at(21, 1));
    t.add("s1", "😢", at(20, 2)); // late, but within the retention
    t.add("s1", "🔥", at(21, 3));
    expect(t.take(1000)).toEqual([
      { streamerId: "s1", windowStart: iso(20), counts: { "🔥": 1, "😢": 1 }, total: 2 },
      { streamerId: "s1", windowStart: iso(21), counts: { "🔥": 3 }, total: 3 },
    ]);
  });

  it("forgets minutes more than `retainMinutes` behind the newest once published, and does not count late emotes for them", () => {
    const t = new WindowStatsTracker({ retainMinutes: 15 });
    for (let m = 0; m < 40; m++) t.add("s1", "🔥", at(m));
    const s1 = t.streamer("s1");
    // Minutes changed since the last publication are kept until they are published...
    expect(t.take(0)).toHaveLength(40);
    // ...then only the newest (39) and the 15 before it remain.
    expect([...s1.minutes.keys()]).toEqual(Array.from({ length: 16 }, (_, i) => at(24 + i)));

    t.add("s1", "😀", at(24)); // exactly 15 minutes behind: still counted
    t.add("s1", "😀", at(23)); // 16 behind: not counted, nor re-created with a wrong count
    expect(s1.late).toBe(1);
    expect(t.take(1000)).toEqual([
      { streamerId: "s1", windowStart: iso(24), counts: { "🔥": 1, "😀": 1 }, total: 2 },
    ]);

    // A streamer whose stream moves on keeps at most 16 minutes, however long it runs.
    for (let m = 40; m < 400; m++) {
      t.add("s1", "🔥", at(0) + m * 60_000);
      t.take(m * 1000);
    }
    expect(s1.minutes.size).toBe(16);
  });

  it("requeues records whose publication failed, with the counts as they are by then", () => {
    const t = new WindowStatsTracker();
    t.add("s1", "🔥", at(20));
    t.add("s1", "🔥", at(21));
    const lost = t.take(0);
    t.add("s1", "😀", at(21, 5));
    t.requeue(lost);
    // Due again at once (the failed attempt does not count against the interval).
    expect(t.take(1)).toEqual([
      { streamerId: "s1", windowStart: iso(20), counts: { "🔥": 1 }, total: 1 },
      { streamerId: "s1", windowStart: iso(21), counts: { "🔥": 1, "😀": 1 }, total: 2 },
    ]);
    // Requeueing what is no longer tracked does nothing.
    t.clear();
    t.requeue(lost);
    expect(t.take(2)).toEqual([]);
  });

  it("keeps any emote string as a count, __proto__ included", () => {
    const t = new WindowStatsTracker();
    t.add("s1", "__proto__", at(20));
    t.add("s1", "__proto__", at(20));
    const [r] = t.take(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual(
      JSON.parse(`{"streamerId":"s1","windowStart":"${iso(20)}","counts":{"__proto__":2},"total":2}`),
    );
  });

  it("clear() forgets everything: counts restart from zero", () => {
    const t = new WindowStatsTracker();
    t.add("s1", "🔥", at(20));
    t.clear();
    expect(t.size).toBe(0);
    expect(t.take(0)).toEqual([]);
    t.add("s1", "🔥", at(20));
    expect(t.take(0)).toEqual([{ streamerId: "s1", windowStart: iso(20), counts: { "🔥": 1 }, total: 1 }]);
  });

  it("ignores minutes far ahead of the wall clock, so one emote dated next year stops nothing", () => {
    const t = new WindowStatsTracker({ aheadMinutes: 2 });
    t.boundAhead(at(20));
    t.add("s1", "🔥", Date.UTC(9999, 11, 31));
    t.add("s1", "🔥", at(22, 59));
    t.add("s1", "😀", at(23));
    t.add("s1", "😀", at(20, 30));
    expect(t.take(0)).toEqual([
      { streamerId: "s1", windowStart: iso(20), counts: { "😀": 1 }, total: 1 },
      { streamerId: "s1", windowStart: iso(22), counts: { "🔥": 1 }, total: 1 },
    ]);
    expect(t.streamer("s1").ahead).toBe(2);
  });

  it("counts at most maxEmotesPerMinute distinct emotes in a minute, and the known ones beyond", () => {
    const t = new WindowStatsTracker({ maxEmotesPerMinute: 3 });
    for (const e of ["a", "b", "c", "d", "a", "e"]) t.add("s1", e, at(20));
    expect(t.take(0)).toEqual([
      { streamerId: "s1", windowStart: iso(20), counts: { a: 2, b: 1, c: 1 }, total: 4 },
    ]);
    expect(t.streamer("s1").overflow).toBe(2);
  });

  it("forgets streamers with nothing to publish since the horizon, and keeps those still owing", () => {
    const t = new WindowStatsTracker();
    t.add("quiet", "🔥", at(20));
    t.take(1_000);
    t.add("owing", "🔥", at(20));
    t.evictIdle(5_000);
    expect(t.size).toBe(1);
    expect(t.take(10_000).map((r) => r.streamerId)).toEqual(["owing"]);
  });

  describe("viewers", () => {
    /** Per bucket start, the union of every sketch the records sent for it. */
    function unionByBucket(records: readonly WindowStats[], into = new Map<string, ViewerSketch>()) {
      for (const r of records) {
        for (const b of r.viewers ?? []) {
          const held = into.get(b.bucketStart) ?? new ViewerSketch();
          held.union(ViewerSketch.decode(b.sketch));
          into.set(b.bucketStart, held);
        }
      }
      return into;
    }

    it("sends per 10 s bucket only what rose since the last publication; the union is every viewer", () => {
      const t = new WindowStatsTracker();
      for (let v = 0; v < 40; v++) t.add("s1", "🔥", at(20, 3), v);
      t.add("s1", "🔥", at(20, 12), 1);
      const first = t.take(0);
      expect(first.map((r) => r.viewers?.map((b) => b.bucketStart))).toEqual([
        [new Date(at(20, 0)).toISOString(), new Date(at(20, 10)).toISOString()],
      ]);
      for (const r of first) expect(windowStatsSchema.parse(r)).toEqual(r);
      // The same viewers again change no register: the minute is sent (its counts), no sketch.
      for (let v = 0; v < 40; v++) t.add("s1", "🔥", at(20, 4), v);
      const repeat = t.take(1_000);
      expect(repeat).toHaveLength(1);
      expect(repeat[0]?.viewers).toBeUndefined();
      // Ten new viewers: a sketch of about ten registers, not forty.
      for (let v = 40; v < 50; v++) t.add("s1", "🔥", at(20, 5), v);
      const more = t.take(2_000);
      const sent = ViewerSketch.decode(more[0]?.viewers?.[0]?.sketch ?? "");
      expect(sent.size).toBeLessThanOrEqual(10);
      const union = unionByBucket([...first, ...repeat, ...more]);
      expect(union.get(new Date(at(20, 0)).toISOString())?.estimate()).toBe(50);
      expect(union.get(new Date(at(20, 10)).toISOString())?.estimate()).toBe(1);
    });

    it("sends a requeued minute's buckets whole again", () => {
      const t = new WindowStatsTracker();
      for (let v = 0; v < 30; v++) t.add("s1", "🔥", at(20, 3), v);
      const lost = t.take(0);
      t.requeue(lost);
      const again = t.take(0, { all: true });
      expect(
        unionByBucket(again)
          .get(new Date(at(20, 0)).toISOString())
          ?.estimate(),
      ).toBe(30);
    });

    it("counts no viewer for an emote it does not count, and sends no field without viewers", () => {
      const t = new WindowStatsTracker({ aheadMinutes: 2 });
      t.boundAhead(at(20));
      t.add("s1", "🔥", at(30), 1); // too far ahead
      t.add("s1", "🔥", at(20));
      expect(t.take(0)).toEqual([{ streamerId: "s1", windowStart: iso(20), counts: { "🔥": 1 }, total: 1 }]);
    });
  });
});
