import type { Logger } from "@emote/observability";

/** Client faults logged per minute at most, per process; the rest are counted. */
export const CLIENT_FAULT_LINES_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

/**
 * A socket error that is the client's doing: the `ws` library names each protocol fault it
 * detects (a frame over the size limit, a bad opcode, invalid UTF-8, an unmasked frame…)
 * with a `WS_ERR_` code.
 */
export function isClientSocketFault(cause: unknown): cause is Error & { code: string } {
  if (!(cause instanceof Error) || !("code" in cause)) return false;
  return typeof cause.code === "string" && cause.code.startsWith("WS_ERR_");
}

/**
 * Client faults, logged at warn without a stack and at most `perMinute` lines a minute:
 * any client can cause one at will, so logging each in full would let it fill the log. The
 * first line after a quiet spell says how many were left out before it.
 */
export class ClientFaultLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private logged = 0;
  private leftOut = 0;

  constructor(
    private readonly log: Logger,
    private readonly perMinute = CLIENT_FAULT_LINES_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  report(fields: Record<string, unknown>, message: string): void {
    const t = this.now();
    if (t - this.windowStart >= WINDOW_MS) {
      this.windowStart = t;
      this.logged = 0;
    }
    if (this.logged >= this.perMinute) {
      this.leftOut++;
      return;
    }
    this.logged++;
    const leftOut = this.leftOut;
    this.leftOut = 0;
    this.log.warn({ ...fields, ...(leftOut > 0 && { faultsLeftOut: leftOut }) }, message);
  }
}
