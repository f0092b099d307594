import { describe, expect, it } from "vitest";
import { RateLimitedError } from "@emote/api";
import { StreamerCap, ViewerBuckets, viewerEmoteLimiter } from "./emote-limits.ts";

async function taken(
  limiter: { take(key: string): Promise<void> },
  key: string,
  times: number,
): Promise<number> {
  let ok = 0;
  for (let i = 0; i < times; i++) {
    try {
      await limiter.take(key);
      ok++;
    } catch (err) {
      expect(err).toBeInstanceOf(RateLimitedError);
    }
  }
  return ok;
}

describe("viewerEmoteLimiter", () => {
  it("lets a viewer burst to 20 in a second, then refuses with a retry-after, counting each refusal", async () => {
    let limited = 0;
    const limiter = viewerEmoteLimiter(10, 20, () => limited++);
    expect(await taken(limiter, "sub:viewer:a", 30)).toBe(20);
    expect(limited).toBe(10);
    const err = await limiter.take("sub:viewer:a").then(
      () => undefined,
      (e: unknown) => e as RateLimitedError,
    );
    expect(err?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Another viewer has a budget of its own.
    expect(await taken(limiter, "sub:viewer:b", 5)).toBe(5);
  });

  it("without a burst above the rate, takes exactly the rate", async () => {
    expect(
      await taken(
        viewerEmoteLimiter(3, 3, () => undefined),
        "addr:x",
        10,
      ),
    ).toBe(3);
  });

  it("0 is no limit", async () => {
    expect(
      await taken(
        viewerEmoteLimiter(0, 0, () => undefined),
        "addr:x",
        1_000,
      ),
    ).toBe(1_000);
  });
});

describe("ViewerBuckets", () => {
  it("refills at the rate up to the burst, and says how long until the next token", () => {
    let t = 1_000_000;
    const buckets = new ViewerBuckets(10, 20, () => t);
    const takeN = (n: number) =>
      Array.from({ length: n }, () => buckets.take("v")).filter((w) => w === undefined).length;
    expect(takeN(25)).toBe(20);
    expect(buckets.take("v")).toBe(100); // one token a tenth of a second
    t += 250;
    expect(takeN(5)).toBe(2); // 2.5 tokens came back
    expect(buckets.take("v")).toBe(50);
    t += 60_000; // a minute later: full again, never more than the burst
    expect(takeN(25)).toBe(20);
  });

  it("forgets viewers whose bucket is full again instead of growing", () => {
    let t = 0;
    const buckets = new ViewerBuckets(10, 20, () => t);
    for (let i = 0; i < 20; i++) buckets.take("busy");
    let most = 0;
    // 100,000 viewers passing by, a thousand every tenth of a second, one emote each.
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 1_000; i++) buckets.take(`passing-${round}-${i}`);
      most = Math.max(most, buckets.size);
      t += 100;
    }
    expect(most).toBeLessThanOrEqual(20_001);
    // Forgotten or not, busy is full again 10 s later: the burst, never more.
    const taken = Array.from({ length: 25 }, () => buckets.take("busy")).filter((w) => w === undefined);
    expect(taken.length).toBe(20);
  });
});

describe("StreamerCap", () => {
  it("takes perSecond emotes per streamer per second and says how long until the next second", () => {
    const cap = new StreamerCap(3);
    const t = 1_700_000_000_250;
    expect([1, 2, 3].map(() => cap.take("s1", t))).toEqual([undefined, undefined, undefined]);
    expect(cap.take("s1", t)).toBe(750);
    expect(cap.take("s2", t)).toBeUndefined();
    expect(cap.take("s1", t + 750)).toBeUndefined();
  });

  it("forgets quiet streamers instead of growing", () => {
    const cap = new StreamerCap(1);
    for (let i = 0; i < 20_000; i++) cap.take(`s${i}`, i * 1000);
    expect(cap.take("late", 20_000_000)).toBeUndefined();
  });
});
