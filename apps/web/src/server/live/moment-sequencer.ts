import type { Moment } from "@emote/contracts";

/** What the sequencer reads of the moment log in PostgreSQL. */
export interface MomentLogReader {
  /** The log's last position: every moment up to it is committed and visible. */
  lastPosition(): Promise<number>;
  /** Moments with `after` < position ≤ `upTo`, in position order, at most `limit`. */
  read(after: number, upTo: number, limit: number): Promise<Moment[]>;
}

export interface SequencerOptions {
  /** How long a gap may wait for Kafka before it is read from PostgreSQL. */
  graceMs: number;
  /** How often the log's last position is asked (catches moments whose publication was lost). */
  pollMs: number;
  /** Most out-of-order moments held; beyond it they are left to be read from PostgreSQL. */
  maxPending: number;
  /** Moments read from PostgreSQL per query when a gap is filled. */
  page: number;
  /** A fill or poll failed (PostgreSQL unreachable): it is tried again at the next poll. */
  failed?: (err: unknown) => void;
}

export const DEFAULT_SEQUENCER_OPTIONS: SequencerOptions = {
  graceMs: 250,
  pollMs: 1_000,
  maxPending: 10_000,
  page: 500,
};

/**
 * Turns the moments arriving from `aggregated-emote-data` (any partition, any order,
 * repeats) into the moment log in position order, each position once — the order every
 * server delivers, so a position means the same on all of them.
 *
 * Positions are given in commit order without gaps, and a worker publishes a moment only
 * after its commit: once position p is seen (or the log's last position is p), every
 * position below p is committed and can be read from PostgreSQL. A moment that arrives
 * ahead of a gap waits at most `graceMs` for the missing ones to arrive from Kafka, then
 * the gap is read from PostgreSQL (a worker that died between its commit and its send
 * leaves such a gap forever; the poll finds it when no later moment comes).
 */
export class MomentSequencer {
  private ready = false;
  private next = 1;
  /** The highest position known to be committed. */
  private known = 0;
  private readonly pending = new Map<number, Moment>();
  private graceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private filling: Promise<void> | undefined;
  private closed = false;
  private readonly counts = { ignored: 0, repeated: 0, filled: 0 };

  constructor(
    private readonly log: MomentLogReader,
    private readonly emit: (moment: Moment) => void,
    private readonly opts: SequencerOptions = DEFAULT_SEQUENCER_OPTIONS,
  ) {}

  /**
   * Starts after the log's current end (what came before is history) and polls it. When
   * the log cannot be read yet, the poll keeps trying; until then `nextPosition()` is
   * undefined and nothing is emitted.
   */
  async start(): Promise<void> {
    this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs);
    this.pollTimer.unref();
    await this.initialize();
  }

  /** The position of the next moment emitted; undefined until the log's end is known. */
  nextPosition(): number | undefined {
    return this.ready ? this.next : undefined;
  }

  private async initialize(): Promise<void> {
    try {
      const last = await this.log.lastPosition();
      if (this.ready) return;
      this.ready = true;
      this.next = last + 1;
      if (last > this.known) this.known = last;
      for (const p of this.pending.keys()) if (p < this.next) this.pending.delete(p);
      this.drainPending();
      this.checkGap();
    } catch (err) {
      this.opts.failed?.(err);
    }
  }

  /** Moments without a position ignored, repeats dropped, moments read from PostgreSQL. */
  stats(): { ignored: number; repeated: number; filled: number; pending: number } {
    return { ...this.counts, pending: this.pending.size };
  }

  /** Takes moments from Kafka; returns how many were new. */
  offer(moments: readonly Moment[]): number {
    let fresh = 0;
    for (const m of moments) {
      const p = m.position;
      // Not from a worker that numbers moments: it reaches subscribers from PostgreSQL, if stored.
      if (p === undefined) {
        this.counts.ignored++;
        continue;
      }
      if (p < this.next || this.pending.has(p)) {
        this.counts.repeated++;
        continue;
      }
      fresh++;
      if (p > this.known) this.known = p;
      if (p === this.next && this.ready) {
        this.deliver(m);
        this.drainPending();
      } else if (this.pending.size < this.opts.maxPending) {
        this.pending.set(p, m);
      }
    }
    this.checkGap();
    return fresh;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.graceTimer);
    clearInterval(this.pollTimer);
  }

  private deliver(m: Moment): void {
    this.next = (m.position as number) + 1;
    this.emit(m);
  }

  private drainPending(): void {
    if (!this.ready) return;
    for (let m = this.pending.get(this.next); m; m = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.deliver(m);
    }
  }

  /** A gap (positions known committed but not emitted) waits `graceMs`, or not at all when too much is held. */
  private checkGap(): void {
    if (!this.ready || this.closed || this.filling || this.known < this.next) return;
    if (this.pending.size >= this.opts.maxPending) {
      this.fill();
      return;
    }
    this.graceTimer ??= setTimeout(() => {
      this.graceTimer = undefined;
      if (this.known >= this.next) this.fill();
    }, this.opts.graceMs);
  }

  private poll(): void {
    if (!this.ready) {
      void this.initialize();
      return;
    }
    this.log.lastPosition().then(
      (last) => {
        if (last > this.known) this.known = last;
        this.checkGap();
      },
      (err: unknown) => this.opts.failed?.(err),
    );
  }

  /** Reads the log from the next position up to the highest known committed one, and emits it in order. */
  private fill(): void {
    if (this.filling || this.closed) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.filling = this.readGap()
      .catch((err: unknown) => this.opts.failed?.(err))
      .finally(() => {
        this.filling = undefined;
        this.checkGap();
      });
  }

  private async readGap(): Promise<void> {
    const upTo = this.known;
    while (this.next <= upTo && !this.closed) {
      const rows = await this.log.read(this.next - 1, upTo, this.opts.page);
      const last = rows.length < this.opts.page ? upTo : (rows.at(-1)?.position ?? upTo);
      // The rows and what Kafka brought up to the last of them, in position order (Kafka's
      // copy of a moment is the same moment; one not stored any more still goes out).
      const batch = new Map<number, Moment>();
      for (const row of rows) if (row.position !== undefined) batch.set(row.position, row);
      for (const [p, m] of this.pending) {
        if (p > last) continue;
        batch.set(p, m);
        this.pending.delete(p);
      }
      for (const p of [...batch.keys()].sort((a, b) => a - b)) {
        if (p < this.next) continue;
        this.counts.filled++;
        this.deliver(batch.get(p) as Moment);
      }
      // Every committed position up to `last` is read: one still missing is no longer stored.
      if (this.next <= last) this.next = last + 1;
      this.drainPending();
    }
  }
}
