import { ViewerSketch, type TrendingPartial, type TrendingSurge, type WindowStats } from "@emote/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MergeState, type MergeStateJson } from "./merge-state.ts";
import { splitPartial } from "./partial-split.ts";
import { PartialStep, type StatsInput } from "./partial-step.ts";

const T0 = Date.parse("2026-12-06T20:00:00.000Z");
const MIN = 60_000;
const EMOTES = ["🔥", "😂", "👏", "❤️", "🎉", "😮"];

function partial(source: string, seq: number, p: Partial<TrendingPartial> = {}): TrendingPartial {
  return { source, seq, at: T0, minutes: [], intensity: [], surges: [], ...p };
}

function surge(id: string, streamerId: string, emote: string, score: number, ended = false): TrendingSurge {
  return {
    momentId: id,
    streamerId,
    emote,
    score,
    viewers: 10,
    startedAt: new Date(T0).toISOString(),
    ...(ended && { endedAt: new Date(T0 + 30_000).toISOString() }),
  };
}

/** The state with every collection in a canonical order (insertion order is not state). */
function canonical(s: MergeState): MergeStateJson {
  const j = s.toJSON();
  return {
    ...j,
    // A count back at 0 and a bucket of 0 are no data either way.
    minutes: j.minutes.map(([m, total, summary]) => [
      m,
      total,
      summary.filter(([, count]) => count !== 0).sort(([a], [b]) => (a < b ? -1 : 1)),
    ]),
    intensity: j.intensity.filter(([, emotes]) => emotes !== 0),
    surges: [...j.surges].sort((a, b) => (a.momentId < b.momentId ? -1 : 1)),
    ended: [...j.ended].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

describe("MergeState", () => {
  it("applies each (source, seq) once", () => {
    const s = new MergeState();
    const p = partial("stats:0", 1, { minutes: [{ minute: T0, counts: { "🔥": 3 }, total: 3 }] });
    expect(s.apply(p)).toBeDefined();
    expect(s.apply(p)).toBeUndefined();
    expect(s.apply({ ...p, source: "stats:1" })).toBeDefined();
    expect(s.toJSON().minutes).toEqual([[T0, 6, [["🔥", 6, 0]]]]);
  });

  it("ranks by how far above its own baseline, not by raw count", () => {
    const s = new MergeState();
    let seq = 0;
    // 30 minutes of baseline: 🔥 100 a minute, 👏 2 a minute.
    for (let m = 0; m < 30; m++) {
      s.apply(
        partial("a", ++seq, {
          minutes: [{ minute: T0 + m * MIN, counts: { "🔥": 100, "👏": 2 }, total: 102 }],
        }),
      );
    }
    // Now: 🔥 as usual, 👏 ten times its usual.
    s.apply(
      partial("a", ++seq, {
        at: T0 + 30 * MIN + 59_000,
        minutes: [{ minute: T0 + 30 * MIN, counts: { "🔥": 100, "👏": 20 }, total: 120 }],
      }),
    );
    const oneMinute = s.board(1).windows.find((w) => w.minutes === 1);
    expect(oneMinute?.emotes[0]).toMatchObject({ emote: "👏", count: 20 });
    expect(oneMinute?.emotes[0]?.expected).toBeCloseTo(2 * (59 / 60), 3);
    expect(oneMinute?.emotes.find((e) => e.emote === "🔥")?.score).toBeLessThan(1);
  });

  it("lists the strongest live surge per streamer and counts in how many streamers an emote surges", () => {
    const s = new MergeState();
    s.apply(
      partial("agg:0", 1, {
        surges: [surge("m1", "s1", "🔥", 3), surge("m2", "s1", "😂", 5), surge("m3", "s2", "🔥", 4)],
      }),
    );
    s.apply(partial("stats:0", 1, { minutes: [{ minute: T0, counts: { "🔥": 1 }, total: 1 }] }));
    const board = s.board(1);
    expect(board.surging.map((x) => [x.streamerId, x.momentId])).toEqual([
      ["s1", "m2"],
      ["s2", "m3"],
    ]);
    expect(board.liveSurges).toBe(3);
    expect(board.windows[0]?.emotes[0]).toMatchObject({ emote: "🔥", surgingIn: 2 });
    // The end of m2, then its start replayed: it stays ended.
    s.apply(partial("agg:0", 2, { surges: [surge("m2", "s1", "😂", 5, true)] }));
    s.apply(partial("agg:0", 3, { surges: [surge("m2", "s1", "😂", 5)] }));
    expect(s.board(2).surging.map((x) => x.momentId)).toEqual(["m3", "m1"]);
  });

  it("holds at most its limits however many surges and emotes arrive", () => {
    const s = new MergeState({ emotesPerMinute: 8, liveSurges: 50, boardRows: 5 });
    for (let i = 1; i <= 500; i++) {
      const counts = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`e${(i * 7 + k) % 300}`, 1]));
      s.apply(
        partial("x", i, {
          minutes: [{ minute: T0 + (i % 50) * MIN, counts, total: 20 }],
          surges: [
            {
              ...surge(`m${i}`, `s${i}`, "🔥", i % 17),
              startedAt: new Date(T0 + (i % 50) * MIN).toISOString(),
            },
          ],
        }),
      );
    }
    const j = s.toJSON();
    expect(j.surges.length).toBe(50);
    expect(j.minutes.length).toBeLessThanOrEqual(41);
    for (const [, , summary] of j.minutes) expect(summary.length).toBeLessThanOrEqual(8);
    expect(s.board(1).surging).toHaveLength(5);
  });

  it("counts a viewer on two streams once in the board's intensity, and keeps ten minutes of viewer buckets", () => {
    const s = new MergeState();
    const fifty = sketchOf(Array.from({ length: 50 }, (_, i) => i)).encode();
    s.apply(partial("stats:0", 1, { at: T0 + 5_000, viewers: [{ bucketStart: T0, sketch: fifty }] }));
    const rose = s.apply(
      partial("stats:1", 1, { at: T0 + 5_000, viewers: [{ bucketStart: T0, sketch: fifty }] }),
    );
    expect(rose?.viewersRose).toEqual([]);
    expect(s.board(1).intensity.at(-1)).toEqual({
      bucketStart: new Date(T0).toISOString(),
      emotes: 0,
      viewers: 50,
    });
    // Eleven minutes on, the bucket is final: dropped from memory, a late sketch for it is not applied.
    s.apply(partial("stats:0", 2, { viewers: [{ bucketStart: T0 + 11 * MIN, sketch: fifty }] }));
    expect(s.viewersIn(T0)).toBeUndefined();
    expect(
      s.apply(partial("stats:1", 2, { viewers: [{ bucketStart: T0, sketch: fifty }] }))?.viewersRose,
    ).toEqual([]);
    expect(s.viewerSketches().map((v) => v.bucketStart)).toEqual([T0 + 11 * MIN]);
  });

  it("round-trips through JSON", () => {
    const s = new MergeState();
    s.apply(
      partial("a", 1, {
        minutes: [{ minute: T0, counts: { "🔥": 2 }, total: 2 }],
        intensity: [{ bucketStart: T0, emotes: 2 }],
        surges: [surge("m1", "s1", "🔥", 2)],
        viewers: [{ bucketStart: T0, sketch: sketchOf([1, 2, 3]).encode() }],
      }),
    );
    const back = MergeState.fromJSON(s.appliedJSON(), s.toJSON());
    back.loadViewerSketches(s.viewerSketches());
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(back.viewerSketches()).toEqual(s.viewerSketches());
    expect(back.board(7)).toEqual(s.board(7));
  });
});

// ---------------------------------------------------------------- properties

const statsArb = fc.record({
  streamer: fc.constantFrom("s1", "s2", "s3", "s4"),
  minute: fc.integer({ min: 0, max: 3 }),
  counts: fc.dictionary(fc.constantFrom(...EMOTES), fc.integer({ min: 0, max: 50 }), { maxKeys: 4 }),
  at: fc.integer({ min: 0, max: 240_000 }),
  // Viewer ids per 10 s bucket of the minute: shared across streamers and sources.
  viewers: fc.array(
    fc.tuple(fc.integer({ min: 0, max: 5 }), fc.array(fc.nat({ max: 80 }), { maxLength: 12 })),
    {
      maxLength: 2,
    },
  ),
});

function sketchOf(ids: Iterable<number>): ViewerSketch {
  const s = new ViewerSketch();
  for (const id of ids) s.addHash(id);
  return s;
}

/** The input's viewer ids per bucket start (four minutes: within what the merge keeps, so never final). */
function viewerBuckets(x: { minute: number; viewers: [number, number[]][] }): [number, number[]][] {
  const byBucket = new Map<number, number[]>();
  for (const [b, ids] of x.viewers) {
    const start = T0 + x.minute * MIN + b * 10_000;
    byBucket.set(start, [...(byBucket.get(start) ?? []), ...ids]);
  }
  return [...byBucket].filter(([, ids]) => ids.length > 0);
}

function toInput(x: {
  streamer: string;
  minute: number;
  counts: Record<string, number>;
  at: number;
  viewers: [number, number[]][];
}): StatsInput {
  const viewers = viewerBuckets(x).map(([start, ids]) => ({
    bucketStart: new Date(start).toISOString(),
    sketch: sketchOf(ids).encode(),
  }));
  const stats: WindowStats = {
    streamerId: x.streamer,
    windowStart: new Date(T0 + x.minute * MIN).toISOString(),
    counts: x.counts,
    total: Object.values(x.counts).reduce((a, b) => a + b, 0),
    ...(viewers.length > 0 && { viewers }),
  };
  return { stats, recordTimeMs: T0 + x.at };
}

/** The partials one source's partial step makes of `inputs` cut into batches at `cuts`. */
function partialsOf(source: string, inputs: StatsInput[], cuts: number[]): TrendingPartial[] {
  const step = new PartialStep();
  const out: TrendingPartial[] = [];
  const bounds = [...new Set([0, ...cuts.map((c) => c % (inputs.length + 1)), inputs.length])].sort(
    (a, b) => a - b,
  );
  for (let i = 0; i + 1 < bounds.length; i++) {
    const batch = inputs.slice(bounds[i], bounds[i + 1]);
    const delta = step.apply(batch);
    const at = Math.max(0, ...batch.map((b) => b.recordTimeMs));
    out.push(
      ...splitPartial(
        {
          source,
          seq: out.length + 1,
          at,
          minutes: delta.minutes,
          intensity: delta.intensity,
          surges: [],
          viewers: delta.viewers,
        },
        3,
      ),
    );
  }
  return out;
}

/** Merges sources' partials in an interleaving chosen by `picks` (each source's own order kept), repeats included. */
function merge(sources: TrendingPartial[][], picks: number[], repeat: boolean): MergeState {
  const s = new MergeState();
  const next = sources.map(() => 0);
  let k = 0;
  for (;;) {
    const open = sources.map((_, i) => i).filter((i) => (next[i] ?? 0) < (sources[i]?.length ?? 0));
    if (open.length === 0) break;
    const i = open[(picks[k++ % Math.max(1, picks.length)] ?? 0) % open.length] ?? 0;
    const p = sources[i]?.[next[i] ?? 0];
    if (p) {
      s.apply(p);
      if (repeat) s.apply(p);
    }
    next[i] = (next[i] ?? 0) + 1;
  }
  return s;
}

describe("MergeState properties", () => {
  it("the same state whatever the interleaving of sources, the batch split and repeats", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(statsArb, { maxLength: 25 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (perSource, cutsA, cutsB, picks) => {
          const inputs = perSource.map((xs) => xs.map(toInput));
          const wholeBatches = inputs.map((xs, i) => partialsOf(`stats:${i}`, xs, []));
          const splitBatches = inputs.map((xs, i) => partialsOf(`stats:${i}`, xs, i % 2 ? cutsA : cutsB));
          const a = merge(wholeBatches, [], false);
          const b = merge(splitBatches, picks, true);
          expect(canonical(b)).toEqual(canonical(a));
          expect(b.viewerSketches()).toEqual(a.viewerSketches());
          expect(b.board(1)).toEqual(a.board(1));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("minute counts equal the sum of every streamer's last snapshot (exact below the summary's size)", () => {
    fc.assert(
      fc.property(fc.array(statsArb, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 5 }), (xs, cuts) => {
        const inputs = xs.map(toInput);
        const s = merge([partialsOf("stats:0", inputs, cuts)], [], false);
        const last = new Map<string, Record<string, number>>();
        for (const { stats } of inputs) last.set(`${stats.streamerId}|${stats.windowStart}`, stats.counts);
        const exact = new Map<number, Map<string, number>>();
        for (const [key, counts] of last) {
          const minute = Date.parse(key.split("|")[1] ?? "");
          const m = exact.get(minute) ?? new Map<string, number>();
          for (const [e, n] of Object.entries(counts)) m.set(e, (m.get(e) ?? 0) + n);
          exact.set(minute, m);
        }
        for (const [minute, , summary] of s.toJSON().minutes) {
          for (const [emote, count, error] of summary) {
            expect(error).toBe(0);
            expect(count).toBe(exact.get(minute)?.get(emote) ?? 0);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("distinct viewers per bucket are those of the union of every sketch sent, each viewer once across streamers and sources", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(statsArb, { maxLength: 20 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (perSource, cuts, picks) => {
          const s = merge(
            perSource.map((xs, i) => partialsOf(`stats:${i}`, xs.map(toInput), cuts)),
            picks,
            true,
          );
          const exact = new Map<number, Set<number>>();
          for (const x of perSource.flat()) {
            for (const [start, ids] of viewerBuckets(x)) {
              exact.set(start, new Set([...(exact.get(start) ?? []), ...ids]));
            }
          }
          expect(s.viewerSketches().map((v) => v.bucketStart)).toEqual(
            [...exact.keys()].sort((a, b) => a - b),
          );
          for (const [start, ids] of exact) expect(s.viewersIn(start)).toBe(sketchOf(ids).estimate());
        },
      ),
      { numRuns: 150 },
    );
  });
});
