import type { Caller } from "../auth/auth.ts";

/** Thrown by a CallLimiter when a caller is over its limit. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    /** How long until the caller may try again. */
    readonly retryAfterMs: number,
  ) {
    super(`rate limited: retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/** Counts a caller's calls; rejects with RateLimitedError when it is over the limit. */
export interface CallLimiter {
  take(key: string): Promise<void>;
}

/** What the server limits per caller (each optional: tests and other servers may leave it out). */
export interface CallLimits {
  mutations?: CallLimiter;
  /** emotes.send per viewer (its own budget: reactions never use up the mutation limit). */
  emotes?: CallLimiter;
}

/**
 * Whom a limit counts: the token's subject (with its role, so a viewer named like an admin
 * does not share the admin's budget), else the client's address.
 */
export function limitKey(caller: Caller, clientAddress: string | undefined): string {
  if (caller.kind === "token") return `sub:${caller.role}:${caller.sub}`;
  return `addr:${clientAddress ?? "unknown"}`;
}
