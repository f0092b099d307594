import { RateLimitedError, type CallLimiter, type CallLimits } from "@emote/api";
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

export interface RateLimitOptions {
  /** Mutations per caller per minute (0 = unlimited). */
  mutationsPerMinute: number;
  /** WebSocket connection attempts per client address per minute (0 = unlimited). */
  connectionsPerMinute: number;
}

export type LimitName = "mutation" | "connection";

export interface RateLimits {
  /** For the tRPC context: counted per caller in the procedures' middleware. */
  calls: CallLimits;
  /** Counts a connection attempt: undefined when allowed, else seconds until the next may come. */
  connectionAttempt(address: string): Promise<number | undefined>;
}

/**
 * Fixed one-minute windows in this process's memory (rate-limiter-flexible): each gateway
 * of a cluster counts on its own, so behind N gateways a caller gets up to N times the
 * limit (docs/security.md). `limited` is told every refusal (the metric).
 */
function limiter(perMinute: number, name: LimitName, limited: (name: LimitName) => void): CallLimiter {
  if (perMinute === 0) return { take: async () => undefined };
  return callLimiter(new RateLimiterMemory({ points: perMinute, duration: 60 }), () => limited(name));
}

/**
 * A rate-limiter-flexible limiter as the API's CallLimiter: a refusal is told to
 * `limited` (the metric) and thrown as RateLimitedError with the wait it says.
 */
export function callLimiter(limiter: Pick<RateLimiterAbstract, "consume">, limited: () => void): CallLimiter {
  return {
    async take(key) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        limited();
        throw new RateLimitedError(err.msBeforeNext);
      }
    },
  };
}

export function createRateLimits(opts: RateLimitOptions, limited: (name: LimitName) => void): RateLimits {
  const connections = limiter(opts.connectionsPerMinute, "connection", limited);
  return {
    calls: { mutations: limiter(opts.mutationsPerMinute, "mutation", limited) },
    async connectionAttempt(address) {
      try {
        await connections.take(`addr:${address}`);
        return undefined;
      } catch (err) {
        if (err instanceof RateLimitedError) return err.retryAfterSeconds;
        throw err;
      }
    },
  };
}
