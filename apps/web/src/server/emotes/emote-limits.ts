import type { CallLimiter } from "@emote/api";
import { BurstyRateLimiter, RateLimiterMemory } from "rate-limiter-flexible";
import { callLimiter } from "../rate-limits.ts";

/** How long the burst reserve takes to refill. */
const BURST_REFILL_SECONDS = 10;

/**
 * emotes.send per viewer (the limit key: token `sub`, else client address), in this
 * process's memory: `perSecond` in each one-second window, plus a reserve of
 * `burst − perSecond` more refilled every 10 s, so a viewer may send `burst` in one
 * second now and then. 0 = no limit. `limited` is told every refusal (the metric).
 */
export function viewerEmoteLimiter(perSecond: number, burst: number, limited: () => void): CallLimiter {
  if (perSecond === 0) return { take: async () => undefined };
  const steady = new RateLimiterMemory({ keyPrefix: "emote", points: perSecond, duration: 1 });
  const limiter =
    burst > perSecond
      ? new BurstyRateLimiter(
          steady,
          new RateLimiterMemory({
            keyPrefix: "emote-burst",
            points: burst - perSecond,
            duration: BURST_REFILL_SECONDS,
          }),
        )
      : steady;
  return callLimiter(limiter, limited);
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
