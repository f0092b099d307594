import { describe, expect, it } from "vitest";
import { surgeScore } from "./emote-track.ts";

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
