/** How often the event loop's lateness is sampled. */
const SAMPLE_MS = 20;

/**
 * How late this process's event loop runs, sampled every 20 ms by a timer that notes how
 * much after its due time it fired. Past `maxMs` the gateway is overloaded: an emote
 * accepted now would be answered late, so it is refused at once instead. 0 = never.
 */
export class EventLoopLag {
  private lagMs = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly maxMs: number) {
    if (maxMs === 0) return;
    let due = performance.now() + SAMPLE_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lagMs = Math.max(0, now - due);
      due = now + SAMPLE_MS;
    }, SAMPLE_MS).unref();
  }

  get overloaded(): boolean {
    return this.maxMs > 0 && this.lagMs > this.maxMs;
  }

  /** The lateness of the last sample, in milliseconds. */
  get currentMs(): number {
    return this.lagMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
