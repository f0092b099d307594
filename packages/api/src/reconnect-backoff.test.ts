import { describe, expect, it } from "vitest";
import { fullJitterDelayMs } from "./reconnect-backoff.ts";

const backoff = { baseMs: 1_000, capMs: 5_000 };

describe("fullJitterDelayMs", () => {
  it("draws from a window that doubles per attempt up to the cap", () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 50].map((a) => fullJitterDelayMs(a, backoff, top))).toEqual([
      999, 1_999, 3_999, 4_999, 4_999, 4_999,
    ]);
  });

  it("may be zero: the window starts at 0, not at half of it", () => {
    expect(fullJitterDelayMs(3, backoff, () => 0)).toBe(0);
  });

  it("spreads the first attempts of many clients over the whole first window", () => {
    const delays = Array.from({ length: 10_000 }, () => fullJitterDelayMs(0, backoff));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(1_000);
    // Ten buckets of 100 ms each hold about a tenth: no burst at either end.
    const buckets = Array.from(
      { length: 10 },
      (_, i) => delays.filter((d) => Math.floor(d / 100) === i).length,
    );
    for (const n of buckets) expect(n).toBeGreaterThan(800);
  });

  it("treats a negative attempt as the first", () => {
    expect(fullJitterDelayMs(-1, backoff, () => 0.5)).toBe(500);
  });
});
