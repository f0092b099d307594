import {
  ViewerSketch,
  type IntensityDelta,
  type MinuteDelta,
  type ViewersDelta,
  type WindowStats,
} from "@emote/contracts";

const MINUTE_MS = 60_000;
export const BUCKET_MS = 10_000;
/**
 * How far back (event time, behind the newest minute seen on the partition) snapshots are
 * kept and applied: the merge's longest window plus its baseline, and a minute's slack.
 */
export const PARTIAL_HORIZON_MS = 45 * MINUTE_MS;

/** One streamer-minute's last applied counts (what the partial step stores). */
export interface StreamerMinute {
  streamerId: string;
  /** Start of the UTC minute, epoch ms. */
  minute: number;
  counts: Record<string, number>;
}

/** A window-stats record as the partial step takes it: its value and its record time. */
export interface StatsInput {
  stats: WindowStats;
  /** The record's time on the bus (epoch ms): which 10 s bucket of intensity it counts in. */
  recordTimeMs: number;
}

export interface PartialDelta {
  minutes: MinuteDelta[];
  intensity: IntensityDelta[];
  /** Per 10 s bucket (event time) the union of the batch's viewer sketches. */
  viewers: ViewersDelta[];
  /** Snapshots to store (the new last counts of each streamer-minute the batch changed). */
  changed: StreamerMinute[];
  /**
   * Stored snapshots of minutes before this (epoch ms) are no longer needed: set when the
   * horizon moved on by a minute or more since it was last set (undefined: nothing to delete).
   */
  horizon: number | undefined;
}

/**
 * The partial step of one input partition: turns window stats — cumulative snapshots per
 * (streamer, minute), re-sent and possibly replayed — into signed deltas of platform-wide
 * counts. A snapshot replaces the last one of its streamer-minute, so a replay adds
 * nothing. Memory: one snapshot per active streamer-minute within the horizon.
 */
export class PartialStep {
  private readonly last = new Map<string, Map<number, Record<string, number>>>();
  private newestMinute = Number.NEGATIVE_INFINITY;
  private prunedBelow = Number.NEGATIVE_INFINITY;

  constructor(private readonly horizonMs = PARTIAL_HORIZON_MS) {}

  /** Restores what a commit stored. */
  load(rows: readonly StreamerMinute[]): void {
    for (const r of rows) {
      this.minutesOf(r.streamerId).set(r.minute, r.counts);
      this.newestMinute = Math.max(this.newestMinute, r.minute);
    }
  }

  /** Streamer-minutes held (for metrics and the memory bound). */
  size(): number {
    let n = 0;
    for (const m of this.last.values()) n += m.size;
    return n;
  }

  apply(inputs: readonly StatsInput[]): PartialDelta {
    const minutes = new Map<number, MinuteDelta>();
    const intensity = new Map<number, number>();
    const changed = new Map<string, StreamerMinute>();
    const viewers = new Map<number, ViewerSketch>();
    for (const { stats, recordTimeMs } of inputs) {
      const minute = Date.parse(stats.windowStart);
      this.newestMinute = Math.max(this.newestMinute, minute);
      if (minute < this.horizon()) continue;
      // A union needs no snapshot: a repeated or replayed sketch changes nothing.
      for (const b of stats.viewers ?? []) {
        const start = Date.parse(b.bucketStart);
        let held = viewers.get(start);
        if (!held) viewers.set(start, (held = new ViewerSketch()));
        held.unionEncoded(b.sketch);
      }
      const held = this.minutesOf(stats.streamerId);
      const before = held.get(minute) ?? {};
      // The minute is named even when nothing changed: how a batch was split never shows.
      const delta = minutes.get(minute) ?? { minute, counts: {}, total: 0 };
      minutes.set(minute, delta);
      let totalDelta = 0;
      for (const emote of new Set([...Object.keys(before), ...Object.keys(stats.counts)])) {
        const d = (stats.counts[emote] ?? 0) - (before[emote] ?? 0);
        if (d === 0) continue;
        delta.counts[emote] = (delta.counts[emote] ?? 0) + d;
        totalDelta += d;
      }
      if (totalDelta === 0 && Object.keys(delta.counts).length === 0) continue;
      delta.total += totalDelta;
      const bucket = Math.floor(recordTimeMs / BUCKET_MS) * BUCKET_MS;
      intensity.set(bucket, (intensity.get(bucket) ?? 0) + totalDelta);
      held.set(minute, stats.counts);
      changed.set(`${stats.streamerId}\u0000${minute}`, {
        streamerId: stats.streamerId,
        minute,
        counts: stats.counts,
      });
    }
    const horizon = this.horizon();
    const pruned = this.prune(horizon);
    return {
      minutes: [...minutes.values()].map((m) => ({ ...m, counts: withoutZeros(m.counts) })),
      intensity: [...intensity]
        .filter(([, emotes]) => emotes !== 0)
        .map(([bucketStart, emotes]) => ({ bucketStart, emotes })),
      viewers: [...viewers]
        .sort(([a], [b]) => a - b)
        .map(([bucketStart, sketch]) => ({ bucketStart, sketch: sketch.encode() })),
      changed: [...changed.values()].filter((c) => c.minute >= horizon),
      horizon: pruned ? horizon : undefined,
    };
  }

  private horizon(): number {
    return this.newestMinute - this.horizonMs;
  }

  private minutesOf(streamerId: string): Map<number, Record<string, number>> {
    let m = this.last.get(streamerId);
    if (!m) this.last.set(streamerId, (m = new Map()));
    return m;
  }

  /** Drops snapshots behind the horizon, sweeping once per minute the horizon moves. */
  private prune(horizon: number): boolean {
    if (!Number.isFinite(horizon) || horizon < this.prunedBelow + MINUTE_MS) return false;
    this.prunedBelow = horizon;
    for (const [streamerId, minutes] of this.last) {
      for (const minute of minutes.keys()) if (minute < horizon) minutes.delete(minute);
      if (minutes.size === 0) this.last.delete(streamerId);
    }
    return true;
  }
}

function withoutZeros(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}
