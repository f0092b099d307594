/** How often the event loop's lateness is sampled. */
const SAMPLE_MS = 20;
/** Weight of the newest sample in the running average (about the last 10 samples count). */
const WEIGHT = 0.2;

/**
 * How late this process's event loop runs: a timer every 20 ms notes how much after its due
 * time it fired, averaged over about the last 200 ms, so one pause (a GC, the process
 * descheduled on a busy machine) does not shed by itself while sustained overload does.
 * Past `maxMs` the gateway is overloaded: an emote accepted now would be answered late, so
 * it is refused at once instead. 0 = never.
 */
export class EventLoopLag {
  private lagMs = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly maxMs: number) {
    if (maxMs === 0) return;
    let due = performance.now() + SAMPLE_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lagMs += WEIGHT * (Math.max(0, now - due) - this.lagMs);
      due = now + SAMPLE_MS;
    }, SAMPLE_MS).unref();
  }

  get overloaded(): boolean {
    return this.maxMs > 0 && this.lagMs > this.maxMs;
  }

  /** The running average lateness, in milliseconds. */
  get currentMs(): number {
    return this.lagMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
