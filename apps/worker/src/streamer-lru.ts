import type { StreamerProgress } from "@emote/db";
import { StreamerAnalysis } from "./streamer-analysis.ts";
import { DEFAULT_STREAM_GAP_MS } from "./timeline/stream-timeline.ts";

/** How long a streamer's in-memory state outlives its last emote (it is durable in the store). */
export const DEFAULT_STREAMER_IDLE_MS = 15 * 60_000;

/**
 * The streamers whose analysis state is in memory, least recently used first (moved to
 * the end on use), so the idle ones are forgotten by walking from the start.
 */
export class StreamerLru {
  private readonly streamers = new Map<string, { batch: StreamerAnalysis; usedAt: number }>();
  private nextEviction = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly idleMs = DEFAULT_STREAMER_IDLE_MS,
    private readonly streamGapMs = DEFAULT_STREAM_GAP_MS,
  ) {}

  get size(): number {
    return this.streamers.size;
  }

  get(id: string): StreamerAnalysis | undefined {
    return this.streamers.get(id)?.batch;
  }

  clear(): void {
    this.streamers.clear();
  }

  /** Marks the streamers in memory as used at `usedAt`; returns the ids that are not. */
  use(ids: readonly string[], usedAt: number): string[] {
    const missing: string[] = [];
    for (const id of ids) {
      const s = this.streamers.get(id);
      if (!s) {
        missing.push(id);
        continue;
      }
      this.streamers.delete(id);
      this.streamers.set(id, { batch: s.batch, usedAt });
    }
    return missing;
  }

  /** Puts the `missing` streamers in memory: from their stored progress, or new. */
  load(missing: readonly string[], stored: readonly StreamerProgress[], usedAt: number): void {
    for (const p of stored) {
      this.streamers.set(p.streamerId, { batch: StreamerAnalysis.fromProgress(p, this.streamGapMs), usedAt });
    }
    for (const id of missing) {
      if (!this.streamers.has(id)) {
        this.streamers.set(id, { batch: StreamerAnalysis.create(id, this.streamGapMs), usedAt });
      }
    }
  }

  /**
   * Forgets streamers idle for `idleMs`: their state is stored with every batch that
   * touched them, and reloaded by the next one. Returns the horizon it swept to and the
   * streamers it forgot, or undefined when it did not sweep (at most a few times per idle period).
   */
  evictIdle(now: number): { horizon: number; ids: string[] } | undefined {
    if (now < this.nextEviction) return undefined;
    this.nextEviction = now + Math.min(this.idleMs / 4, 60_000);
    const horizon = now - this.idleMs;
    const ids: string[] = [];
    for (const [id, s] of this.streamers) {
      if (s.usedAt >= horizon) break;
      this.streamers.delete(id);
      ids.push(id);
    }
    return { horizon, ids };
  }
}
