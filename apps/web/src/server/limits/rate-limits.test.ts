import { RateLimitedError } from "@emote/api";
import { describe, expect, it } from "vitest";
import { createRateLimits, type LimitName } from "./rate-limits.ts";

describe("createRateLimits", () => {
  it("refuses a caller over its budget with the time left in the window, others unaffected", async () => {
    const refused: LimitName[] = [];
    const limits = createRateLimits({ mutationsPerMinute: 3, connectionsPerMinute: 2 }, (n) =>
      refused.push(n),
    );
    const mutations = limits.calls.mutations;
    if (!mutations) throw new Error("expected a mutation limiter");
    for (let i = 0; i < 3; i++) await mutations.take("sub:admin:a");
    const err = await mutations.take("sub:admin:a").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await mutations.take("sub:admin:b");

    expect(await limits.connectionAttempt("192.0.2.1")).toBeUndefined();
    expect(await limits.connectionAttempt("192.0.2.1")).toBeUndefined();
    expect(await limits.connectionAttempt("192.0.2.1")).toBeGreaterThan(0);
    expect(await limits.connectionAttempt("192.0.2.2")).toBeUndefined();
    expect(refused).toEqual(["mutation", "connection"]);
  });

  it("counts nothing with a limit of 0", async () => {
    const limits = createRateLimits({ mutationsPerMinute: 0, connectionsPerMinute: 0 }, () => {
      throw new Error("nothing is refused");
    });
    for (let i = 0; i < 1_000; i++) {
      await limits.calls.mutations?.take("k");
      expect(await limits.connectionAttempt("a")).toBeUndefined();
    }
  });
});
