/** How long a client waits before its n-th attempt to reconnect (tRPC's `retryDelayMs`). */
export interface ReconnectBackoff {
  /** The window of the first attempt; each failed attempt doubles it. */
  baseMs: number;
  /** The window never grows past this. */
  capMs: number;
}

/**
 * The SDK's and the dashboard's back-off: when a gateway drains, every client it held
 * reconnects at once, so the first attempt is already spread over `baseMs` (a few thousand
 * sockets arrive over a second instead of in one burst), and later ones over windows that
 * double up to `capMs`.
 */
export const RECONNECT_BACKOFF: ReconnectBackoff = { baseMs: 1_000, capMs: 5_000 };

/**
 * Full-jitter exponential back-off: a delay drawn uniformly from [0, min(cap, base·2^attempt))
 * for attempt 0, 1, 2, … `random` is Math.random's shape (tests pass their own).
 */
export function fullJitterDelayMs(
  attempt: number,
  backoff: ReconnectBackoff = RECONNECT_BACKOFF,
  random: () => number = Math.random,
): number {
  const window = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.floor(random() * window);
}
