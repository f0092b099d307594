import { RateLimitedError, type CallLimiter } from "@emote/api";

/** Buckets kept before the full ones (idle viewers, who lose nothing) are swept. */
const SWEEP_FROM = 10_000;

/**
 * emotes.send per viewer (the limit key: token `sub`, else client address), in this
 * process's memory: a token bucket of `burst` refilled at `perSecond` a second, so a viewer
 * may send `burst` at once (never less than `perSecond`), then `perSecond` a second. 0 = no limit. `limited` is told
 * every refusal (the metric). Buckets that are full again are forgotten (a full bucket is
 * what a new viewer gets), swept whenever the map has doubled since the last sweep.
 *
 * Written here rather than with rate-limiter-flexible (which the other limits use): it is
 * checked once per emote, ten thousand times a second, where the library's promise chain
 * (two limiters for a burst) and per-key expiry cost about 5 µs a call, this about 0.2.
 */
export function viewerEmoteLimiter(
  perSecond: number,
  burst: number,
  limited: () => void,
  now: () => number = Date.now,
): CallLimiter {
  if (perSecond === 0) return { take: async () => undefined };
  const buckets = new ViewerBuckets(perSecond, Math.max(burst, perSecond), now);
  return {
    async take(key) {
      const wait = buckets.take(key);
      if (wait === undefined) return;
      limited();
      throw new RateLimitedError(wait);
    },
  };
}

export class ViewerBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweepAt = SWEEP_FROM;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`: undefined when taken, else the milliseconds until one is there. */
  take(key: string): number | undefined {
    const at = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.sweepAt) this.sweep(at);
      b = { tokens: this.burst, at };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, this.tokensAt(b, at));
      b.at = at;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / this.perSecond);
  }

  /** Buckets kept now. */
  get size(): number {
    return this.buckets.size;
  }

  /** The tokens `b` has at `at`, refilled since it was last taken from (burst not applied). */
  private tokensAt(b: { tokens: number; at: number }, at: number): number {
    return b.tokens + ((at - b.at) * this.perSecond) / 1000;
  }

  private sweep(at: number): void {
    for (const [key, b] of this.buckets) {
      if (this.tokensAt(b, at) >= this.burst) this.buckets.delete(key);
    }
    this.sweepAt = Math.max(SWEEP_FROM, 2 * this.buckets.size);
  }
}

/**
 * Emotes per streamer per second this gateway takes (0 = no cap): a plain one-second
 * window per streamer, checked synchronously on the hot path. Returns undefined when the
 * emote may go, else the milliseconds until the streamer's next window.
 */
export class StreamerCap {
  private readonly windows = new Map<string, { second: number; count: number }>();

  constructor(readonly perSecond: number) {}

  take(streamerId: string, nowMs = Date.now()): number | undefined {
    if (this.perSecond === 0) return undefined;
    const second = Math.floor(nowMs / 1000);
    let w = this.windows.get(streamerId);
    if (!w || w.second !== second) {
      // Windows of streamers gone quiet are forgotten once a second at most.
      if (!w && this.windows.size > 10_000) this.forgetBefore(second);
      w = { second, count: 0 };
      this.windows.set(streamerId, w);
    }
    if (w.count >= this.perSecond) return (second + 1) * 1000 - nowMs;
    w.count++;
    return undefined;
  }

  private forgetBefore(second: number): void {
    for (const [id, w] of this.windows) if (w.second < second) this.windows.delete(id);
  }
}
