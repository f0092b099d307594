import { authenticate, type Caller, type VerifyOptions } from "./auth.ts";

/** Tokens remembered at most; past it the oldest is forgotten (verified again when it returns). */
const DEFAULT_MAX_TOKENS = 10_000;

/**
 * Verified tokens, remembered until they expire: an HTTP client sends its token with every
 * request, and checking the signature each time was a large share of a reaction's cost.
 * Only valid tokens are kept (a bad one is checked again, and refused again); an expired
 * one is verified again and so refused with its reason.
 */
export class VerifiedTokens {
  private readonly callers = new Map<string, Extract<Caller, { kind: "token" }>>();

  constructor(
    private readonly secret: string,
    private readonly verify: VerifyOptions,
    private readonly max = DEFAULT_MAX_TOKENS,
  ) {}

  async callerOf(authorization: string | undefined): Promise<Caller> {
    if (!authorization) return { kind: "anonymous", role: "viewer" };
    const known = this.callers.get(authorization);
    if (known && known.expiresAt > Date.now()) return known;
    const caller = await authenticate(authorization, this.secret, this.verify);
    if (caller.kind === "token") {
      if (this.callers.size >= this.max) {
        const oldest = this.callers.keys().next();
        if (!oldest.done) this.callers.delete(oldest.value);
      }
      this.callers.set(authorization, caller);
    } else {
      this.callers.delete(authorization);
    }
    return caller;
  }
}
