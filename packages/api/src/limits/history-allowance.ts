/**
 * How many moments `moments.history` may return for one HTTP request (summed over the
 * calls of a batch) or, over WebSocket, for one connection's calls in flight: the `limit`
 * of each call is taken before its query runs, so a batch of full pages cannot build an
 * answer of many megabytes.
 */
export class HistoryAllowance {
  private taken = 0;

  /**
   * @param max most moments at a time
   * @param givesBack true over WebSocket (each answer is sent on its own, so a call's
   *   share comes back when it ends); false for an HTTP batch (answered all at once)
   */
  constructor(
    readonly max: number,
    private readonly givesBack: boolean,
  ) {}

  /** True when `items` more fit (then taken); false: the call is refused. */
  take(items: number): boolean {
    if (this.taken + items > this.max) return false;
    this.taken += items;
    return true;
  }

  /** A call that took `items` has ended. */
  done(items: number): void {
    if (this.givesBack) this.taken -= items;
  }
}
