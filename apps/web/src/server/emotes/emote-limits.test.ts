import { describe, expect, it } from "vitest";
import { RateLimitedError } from "@emote/api";
import { StreamerCap, viewerEmoteLimiter } from "./emote-limits.ts";

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
