import { describe, expect, it } from "vitest";
import { BUCKET_MS, INTENSITY_SPAN_MS, intensitySeries } from "./intensity-model.ts";

const at = (ms: number) => new Date(Date.UTC(2026, 11, 6, 20) + ms).toISOString();

describe("intensitySeries", () => {
  it("is empty without data", () => {
    expect(intensitySeries([], [])).toEqual({ start: 0, values: [], viewers: [], max: 0 });
  });

  it("spans the hour up to the newest bucket, live buckets over stored ones, gaps as null", () => {
    const s = intensitySeries(
      [
        { bucketStart: at(0), emotes: 5 },
        { bucketStart: at(BUCKET_MS), emotes: 7 },
      ],
      [
        { bucketStart: at(BUCKET_MS), emotes: 9 },
        { bucketStart: at(3 * BUCKET_MS), emotes: 4 },
      ],
    );
    expect(s.values).toHaveLength(INTENSITY_SPAN_MS / BUCKET_MS);
    expect(s.values.slice(-4)).toEqual([5, 9, null, 4]);
    expect(s.max).toBe(9);
    expect(s.start).toBe(Date.parse(at(3 * BUCKET_MS)) - INTENSITY_SPAN_MS + BUCKET_MS);
  });

  it("carries distinct viewers beside emotes, null where a bucket has none, on one scale", () => {
    const s = intensitySeries(
      [
        { bucketStart: at(0), emotes: 5 },
        { bucketStart: at(BUCKET_MS), emotes: 7, viewers: 3 },
      ],
      [{ bucketStart: at(2 * BUCKET_MS), emotes: 4, viewers: 12 }],
    );
    expect(s.values.slice(-3)).toEqual([5, 7, 4]);
    expect(s.viewers.slice(-3)).toEqual([null, 3, 12]);
    expect(s.max).toBe(12);
  });
});
