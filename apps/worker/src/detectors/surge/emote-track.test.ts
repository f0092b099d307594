import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addToTotals, newChatTotals } from "./chat-totals.ts";
import {
  addToBucket,
  COUNTED,
  COUNTED_REPEAT,
  forgetPastViewers,
  newEmoteTrack,
  NOT_COUNTED,
  shareScore,
  surgeScore,
  viewerWeight,
  windowScore,
} from "./emote-track.ts";
import { earlierCounted, newestCounted, packSeconds } from "./viewer-seconds.ts";

/** Packed counted seconds as a list (ascending), as a version 4 state held them. */
function unpackSeconds(packed: number): number[] {
  return [earlierCounted(packed, 2), earlierCounted(packed, 1), newestCounted(packed)].filter(
    Number.isFinite,
  );
}

describe("surgeScore", () => {
  it("is about a z-score for large counts and stricter than one for small ones", () => {
    // 100 against 64 expected: (100 - 64) / 8 = 4.5 as a z-score; the deviance says a little less.
    expect(surgeScore(100, 64, 1)).toBeCloseTo(4.15, 2);
    // 3 against 0.5: a z-score would say 3.5; chance gives 3 in 0.5 one time in 70.
    expect(surgeScore(3, 0.5, 1)).toBeCloseTo(2.4, 1);
    expect(surgeScore(100, 64, 4)).toBeCloseTo(4.15 / 2, 2);
  });

  it("is zero at or below expectation and never NaN", () => {
    expect(surgeScore(5, 5, 1)).toBe(0);
    expect(surgeScore(2, 5, 1)).toBe(0);
    for (const expected of [0.1, 1, 3.7, 1e6]) {
      expect(Number.isNaN(surgeScore(expected * (1 + 1e-15), expected, 1))).toBe(false);
    }
  });
});

describe("shareScore", () => {
  it("counts a change of mix twice: the emote up and the rest of the chat down", () => {
    // 30 of 60 records against a share of a quarter: 2·(30·ln 2 + 30·ln(30/45)) = 17.26.
    expect(shareScore(30, 60, 0.25, 1)).toBeCloseTo(Math.sqrt(17.26), 2);
    // The count test sees only the emote's 30 against 15.
    expect(shareScore(30, 60, 0.25, 1)).toBeGreaterThan(surgeScore(30, 15, 1));
    expect(shareScore(30, 60, 0.25, 4)).toBeCloseTo(shareScore(30, 60, 0.25, 1) / 2, 10);
  });

  it("does not move when the whole chat grows in step (an audience drifting)", () => {
    expect(shareScore(15, 60, 0.25, 1)).toBe(0);
    expect(shareScore(30, 120, 0.25, 1)).toBe(0);
  });

  it("is finite when the emote is all the chat, and zero for a share of 0 or 1", () => {
    expect(shareScore(8, 8, 0.5, 1)).toBeCloseTo(Math.sqrt(2 * 8 * Math.log(2)), 10);
    expect(shareScore(8, 8, 1, 1)).toBe(0);
    expect(shareScore(8, 10, 0, 1)).toBe(0);
  });
});

describe("windowScore", () => {
  /** An emote at 1/s among 4/s of chat, then 6 in each of the last 2 s (the rest of chat steady). */
  function scored(historyS: number): number {
    const nowSec = 10_000;
    const track = newEmoteTrack(nowSec, nowSec - 9, nowSec - historyS);
    track.rate = 1;
    track.variance = 1;
    const totals = newChatTotals();
    totals.baselineSum = 4;
    for (const sec of [nowSec - 1, nowSec]) {
      addToBucket(track, sec, 6, true, false);
      addToTotals(totals, sec, 9);
    }
    return windowScore(track, totals, nowSec * 1000 + 999, 1, nowSec - historyS, 0);
  }

  it("weighs the same counts less when the baseline was learnt from a short history", () => {
    const young = scored(40);
    const old = scored(3_600);
    expect(young).toBeLessThan(old);
    // The 2 s window decides: 12 against 2, with (1 + 2 / history) for the baseline's own error.
    expect(old).toBeCloseTo(surgeScore(12, 2, 1 + 2 / 359), 1);
    expect(young).toBeCloseTo(surgeScore(12, 2, 1 + 2 / 31), 1);
  });
});

describe("viewerWeight", () => {
  it("marks a viewer's second record of the emote within 8 s as a repeat, once per window", () => {
    const track = newEmoteTrack(100, 91, 0);
    expect(viewerWeight(track, 7, 100)).toBe(COUNTED);
    expect(viewerWeight(track, 7, 100)).toBe(NOT_COUNTED); // one per second
    expect(viewerWeight(track, 7, 102)).toBe(COUNTED_REPEAT);
    expect(viewerWeight(track, 7, 104)).toBe(COUNTED); // third in the window: counted, not a repeat again
    expect(viewerWeight(track, 7, 105)).toBe(NOT_COUNTED); // the cap: three per 8 s
    // Eight seconds after the second (102), only 104 is near: this is again a second in its window.
    expect(viewerWeight(track, 7, 110)).toBe(COUNTED_REPEAT);
    expect(viewerWeight(track, 8, 110)).toBe(COUNTED);
    expect(viewerWeight(track, undefined, 110)).toBe(COUNTED);
  });
});

/**
 * The rule as a list of each viewer's counted seconds (how the state holds them in JSON):
 * the model the packed map must agree with.
 */
function listWeight(lists: Map<number, number[]>, viewer: number, sec: number): number {
  const counted = lists.get(viewer);
  if (!counted) {
    lists.set(viewer, [sec]);
    return COUNTED;
  }
  if (counted.includes(sec)) return NOT_COUNTED;
  const near = counted.filter((c) => Math.abs(c - sec) < 8).length;
  if (near >= 3) return NOT_COUNTED;
  counted.push(sec);
  counted.sort((a, b) => a - b);
  if (counted.length > 3) counted.shift();
  return near === 1 ? COUNTED_REPEAT : COUNTED;
}

describe("a viewer's counted seconds, packed", () => {
  it("count every record as the list of its seconds would, late records and forgetting included", () => {
    // Each record lands at most the late allowance (2 s) before the newest second so far,
    // as the detector places them; seconds run over the epoch's range.
    const step = fc.record({
      viewer: fc.integer({ min: 0, max: 20 }),
      advance: fc.integer({ min: 0, max: 6 }),
      late: fc.integer({ min: 0, max: 2 }),
      prune: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.array(step, { maxLength: 200 }),
        (start, steps) => {
          const track = newEmoteTrack(start, start - 9, start);
          const lists = new Map<number, number[]>();
          let newest = start;
          for (const { viewer, advance, late, prune } of steps) {
            newest += advance;
            const sec = newest - late;
            expect(viewerWeight(track, viewer, sec)).toBe(listWeight(lists, viewer, sec));
            if (prune) {
              // As the detector does every 8 s: no later record's window reaches these viewers.
              forgetPastViewers(track, newest, Infinity);
              for (const [v, list] of lists) if ((list.at(-1) ?? 0) <= newest - 10) lists.delete(v);
              expect([...track.viewers.keys()].sort()).toEqual([...lists.keys()].sort());
            }
          }
          for (const [viewer, packed] of track.viewers) {
            const list = lists.get(viewer) ?? [];
            // The packed form keeps the seconds up to 31 s behind the newest (older ones are in no window).
            expect(unpackSeconds(packed)).toEqual(list.filter((c) => (list.at(-1) ?? 0) - c <= 31));
            expect(packSeconds(unpackSeconds(packed))).toBe(packed);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe("the repeat test", () => {
  it("sees viewers repeating an emote before the count test sees their records", () => {
    const nowSec = 10_000;
    const firstSec = nowSec - 3_600;
    const track = newEmoteTrack(nowSec, nowSec - 9, firstSec);
    track.rate = 1;
    track.variance = 1;
    track.repeatRate = 0.05;
    const totals = newChatTotals();
    totals.baselineSum = 1;
    // 5 records a second for 3 s, 2 of them each second viewers' second in the window.
    for (const sec of [nowSec - 2, nowSec - 1, nowSec]) {
      for (let i = 0; i < 5; i++) addToBucket(track, sec, 1, false, false, i < 2);
      addToTotals(totals, sec, 5);
    }
    const atNow = nowSec * 1000 + 999;
    const withRepeats = windowScore(track, totals, atNow, 1, firstSec, 0);
    track.ringRepeat.fill(0);
    const countOnly = windowScore(track, totals, atNow, 1, firstSec, 0);
    // 6 repeats against 0.15 expected in the 3 s window; the count test has 15 against 3.
    expect(withRepeats).toBeCloseTo(surgeScore(6, 0.15, 1 + 3 / 359), 1);
    expect(countOnly).toBeCloseTo(surgeScore(15, 3, 1 + 3 / 359), 1);
    expect(withRepeats).toBeGreaterThan(countOnly);
  });
});
