import type { TrendingBoard } from "@emote/contracts";
import { Counter, Gauge, Histogram, type Registry } from "@emote/observability";

export type TrendingStep = "partials" | "merge";

/**
 * The trending stage's metrics on a process registry. Lags are in record time: at each
 * committed batch, now minus the newest input record's time (window stats or moments for
 * the partial step, partials for the merge), so a stage that keeps up stays near its
 * fetch wait and a stalled one grows until its next batch.
 */
export class TrendingMetrics {
  readonly partialsPublished: Counter;
  readonly invalidRecords: Counter<"step">;
  readonly boardsPublished: Counter;
  readonly stateWrite: Histogram<"step">;
  private readonly lagSeconds: Gauge<"step">;
  private readonly platformEmotes: Gauge;
  private readonly platformViewers: Gauge;

  constructor(
    registry: Registry,
    held: () => { streamerMinutes: number; mergeEntries: number },
    private readonly now: () => number = Date.now,
  ) {
    const registers = [registry];
    this.partialsPublished = new Counter({
      name: "emote_trending_partials_published_total",
      help: "Partials the partial step published on trending-partials (after their commit)",
      registers,
    });
    this.invalidRecords = new Counter({
      name: "emote_trending_invalid_records_total",
      help: "Input records skipped because they do not match their topic's contract (a malformed viewer sketch included), by step",
      labelNames: ["step"],
      registers,
    });
    for (const step of ["partials", "merge"] as const) this.invalidRecords.inc({ step }, 0);
    this.boardsPublished = new Counter({
      name: "emote_trending_boards_published_total",
      help: "Boards the merge published on trending",
      registers,
    });
    this.stateWrite = new Histogram({
      name: "emote_trending_state_write_duration_seconds",
      help: "Time of one PostgreSQL commit of a step's state (partials: checkpoint and snapshots; merge: state, intensity, board)",
      labelNames: ["step"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.lagSeconds = new Gauge({
      name: "emote_trending_lag_seconds",
      help: "At the step's last committed batch: now - time of the newest input record it applied, by step",
      labelNames: ["step"],
      registers,
    });
    new Gauge({
      name: "emote_trending_held_entries",
      help: "What the stage holds in memory: streamer-minutes of the partial step (kind streamer_minutes), entries of the merge (kind merge)",
      labelNames: ["kind"],
      registers,
      collect() {
        const h = held();
        this.set({ kind: "streamer_minutes" }, h.streamerMinutes);
        this.set({ kind: "merge" }, h.mergeEntries);
      },
    });
    this.platformEmotes = new Gauge({
      name: "emote_trending_platform_emotes",
      help: "Emotes platform-wide in the newest full 10 s bucket of the last board",
      registers,
    });
    this.platformViewers = new Gauge({
      name: "emote_trending_platform_viewers",
      help: "Distinct viewers platform-wide (HyperLogLog, ±1.6 %) in the newest full 10 s bucket of the last board",
      registers,
    });
  }

  /** A step committed a batch whose newest input record was written at `newestRecordMs`. */
  committed(step: TrendingStep, newestRecordMs: number, writeSeconds: number): void {
    this.stateWrite.observe({ step }, writeSeconds);
    if (newestRecordMs > 0) this.lagSeconds.set({ step }, Math.max(0, (this.now() - newestRecordMs) / 1000));
  }

  published(board: TrendingBoard): void {
    this.boardsPublished.inc();
    // The last bucket is still filling: the one before says how busy the platform is.
    const full = board.intensity.at(-2);
    if (!full) return;
    this.platformEmotes.set(full.emotes);
    if (full.viewers !== undefined) this.platformViewers.set(full.viewers);
  }
}
