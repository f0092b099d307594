import {
  TRENDING_WINDOWS_MINUTES,
  ViewerSketch,
  type TrendingBoard,
  type TrendingEmote,
  type TrendingPartial,
  type TrendingSurge,
} from "@emote/contracts";
import { BUCKET_MS } from "./partial-step.ts";
import { SpaceSaving, type SpaceSavingJson } from "./space-saving.ts";

const MINUTE_MS = 60_000;

export interface MergeLimits {
  /** Emotes held per minute (Space-Saving capacity): exact while a minute has no more distinct emotes. */
  emotesPerMinute: number;
  /** Live surges held; beyond, the weakest is dropped (surgingIn then undercounts). */
  liveSurges: number;
  /** Rows per list on a board. */
  boardRows: number;
}

export const DEFAULT_MERGE_LIMITS: MergeLimits = { emotesPerMinute: 512, liveSurges: 2_000, boardRows: 20 };

/** Minutes before a window that make its baseline. */
export const BASELINE_MINUTES = 30;
const LONGEST_WINDOW = Math.max(...TRENDING_WINDOWS_MINUTES);
/** Minutes kept: the longest window and its baseline. */
const KEPT_MINUTES = LONGEST_WINDOW + BASELINE_MINUTES;
/** A surge whose end never came is dropped this long after its start (its worker lost it). */
const SURGE_MAX_AGE_MS = 15 * MINUTE_MS;
/** Ended surges are remembered this long, so a start replayed after its end is not revived. */
const ENDED_KEPT_MS = 30 * MINUTE_MS;
const ENDED_MAX = 20_000;
/** Platform intensity kept for the board and the page: one hour of 10 s buckets. */
const INTENSITY_KEPT_MS = 60 * MINUTE_MS;
const BOARD_INTENSITY_BUCKETS = 6;
/**
 * Viewer sketches kept behind the newest bucket (event time): 60 buckets of at most
 * 4 KiB. An older bucket is final: a sketch for it (a partial step over ten minutes of
 * event time behind the others) is not applied. Its count stays in `trending_intensity`,
 * with the sketch, from where a new owner reloads the buckets within this span.
 */
export const VIEWERS_KEPT_MS = 10 * MINUTE_MS;

export interface MergeStateJson {
  clockMs: number;
  newestMinute: number | null;
  minutes: [minute: number, total: number, summary: SpaceSavingJson][];
  surges: TrendingSurge[];
  ended: [momentId: string, endedAtMs: number][];
  intensity: [bucketStart: number, emotes: number][];
}

/** What one partial changed, for the commit that stores it. */
export interface Applied {
  intensity: TrendingPartial["intensity"];
  surgesChanged: boolean;
  /** Buckets whose distinct viewers rose. */
  viewersRose: number[];
}

/**
 * The trending merge: platform-wide state from every partial, bounded whatever the number
 * of streamers — per minute a top-K summary of emote counts, the live surges (capped),
 * one hour of 10 s intensity. Below the caps the state is the same whatever the order of
 * the partials of different sources and however they were batched.
 */
export class MergeState {
  /** Last seq applied per source: a partial at or below it is a repeat. */
  readonly applied = new Map<string, number>();
  private clockMs = 0;
  private newestMinute: number | undefined;
  private readonly minutes = new Map<number, { total: number; summary: SpaceSaving }>();
  private readonly surges = new Map<string, TrendingSurge>();
  private readonly ended = new Map<string, number>();
  private readonly intensity = new Map<number, number>();
  private readonly viewers = new Map<number, ViewerSketch>();
  private newestViewerBucket = Number.NEGATIVE_INFINITY;

  constructor(readonly limits: MergeLimits = DEFAULT_MERGE_LIMITS) {}

  static fromJSON(
    applied: Record<string, number>,
    json: MergeStateJson,
    limits = DEFAULT_MERGE_LIMITS,
  ): MergeState {
    const s = new MergeState(limits);
    for (const [k, v] of Object.entries(applied)) s.applied.set(k, v);
    s.clockMs = json.clockMs;
    s.newestMinute = json.newestMinute ?? undefined;
    for (const [minute, total, summary] of json.minutes) {
      s.minutes.set(minute, { total, summary: SpaceSaving.fromJSON(limits.emotesPerMinute, summary) });
    }
    for (const surge of json.surges) s.surges.set(surge.momentId, surge);
    for (const [id, at] of json.ended) s.ended.set(id, at);
    for (const [bucket, emotes] of json.intensity) s.intensity.set(bucket, emotes);
    return s;
  }

  toJSON(): MergeStateJson {
    return {
      clockMs: this.clockMs,
      newestMinute: this.newestMinute ?? null,
      minutes: [...this.minutes]
        .sort(([a], [b]) => a - b)
        .map(([minute, m]) => [minute, m.total, m.summary.toJSON()]),
      surges: [...this.surges.values()],
      ended: [...this.ended],
      intensity: [...this.intensity].sort(([a], [b]) => a - b),
    };
  }

  appliedJSON(): Record<string, number> {
    return Object.fromEntries(this.applied);
  }

  /**
   * Applies a partial unless it is a repeat (its seq at or below the source's last one).
   * Returns the intensity it added (the caller stores it), or undefined for a repeat.
   */
  apply(p: TrendingPartial): Applied | undefined {
    if (p.seq <= (this.applied.get(p.source) ?? 0)) return undefined;
    this.applied.set(p.source, p.seq);
    this.clockMs = Math.max(this.clockMs, p.at);
    for (const m of p.minutes) {
      this.newestMinute = Math.max(this.newestMinute ?? m.minute, m.minute);
      if (m.minute <= this.newestMinute - KEPT_MINUTES * MINUTE_MS) continue;
      let held = this.minutes.get(m.minute);
      if (!held) {
        held = { total: 0, summary: new SpaceSaving(this.limits.emotesPerMinute) };
        this.minutes.set(m.minute, held);
      }
      held.total += m.total;
      // Sorted: which keys a full summary evicts must not depend on a record's key order.
      for (const emote of Object.keys(m.counts).sort()) held.summary.add(emote, m.counts[emote] ?? 0);
    }
    for (const b of p.intensity)
      this.intensity.set(b.bucketStart, (this.intensity.get(b.bucketStart) ?? 0) + b.emotes);
    for (const surge of p.surges) this.applySurge(surge);
    const viewersRose = this.applyViewers(p.viewers ?? []);
    this.expire();
    return { intensity: p.intensity, surgesChanged: p.surges.length > 0, viewersRose };
  }

  /** Distinct viewers platform-wide in a 10 s bucket, while its sketch is held. */
  viewersIn(bucketStart: number): number | undefined {
    return this.viewers.get(bucketStart)?.estimate();
  }

  /**
   * The viewer sketches held, oldest first. They are stored per bucket with the intensity
   * (only those a batch raised), not in the state: a commit writes what changed.
   */
  viewerSketches(): { bucketStart: number; sketch: string }[] {
    return [...this.viewers]
      .sort(([a], [b]) => a - b)
      .map(([bucketStart, sketch]) => ({ bucketStart, sketch: sketch.encode() }));
  }

  /** A held bucket's sketch, encoded (what the commit stores beside its estimate). */
  viewerSketch(bucketStart: number): string | undefined {
    return this.viewers.get(bucketStart)?.encode();
  }

  /** Restores the stored sketches (a new owner): as if their partials were applied again. */
  loadViewerSketches(rows: readonly { bucketStart: number; sketch: string }[]): void {
    this.applyViewers(rows);
    this.expire();
  }

  private applyViewers(deltas: Readonly<NonNullable<TrendingPartial["viewers"]>>): number[] {
    const rose: number[] = [];
    for (const v of deltas) {
      this.newestViewerBucket = Math.max(this.newestViewerBucket, v.bucketStart);
      if (v.bucketStart < this.newestViewerBucket - VIEWERS_KEPT_MS) continue;
      let held = this.viewers.get(v.bucketStart);
      if (!held) this.viewers.set(v.bucketStart, (held = new ViewerSketch()));
      if (held.unionEncoded(v.sketch)) rose.push(v.bucketStart);
    }
    return rose;
  }

  /** Memory in entries (emote counters, surges, ended ids, buckets): bounded by the limits. */
  entries(): number {
    let n = this.surges.size + this.ended.size + this.intensity.size + this.viewers.size;
    for (const m of this.minutes.values()) n += m.summary.size;
    return n;
  }

  board(seq: number): TrendingBoard {
    const surging = this.strongestPerStreamer();
    const surgingIn = new Map<string, number>();
    for (const s of this.surges.values()) surgingIn.set(s.emote, (surgingIn.get(s.emote) ?? 0) + 1);
    const last = Math.floor(this.clockMs / BUCKET_MS) * BUCKET_MS;
    const intensity = [];
    for (let b = last - (BOARD_INTENSITY_BUCKETS - 1) * BUCKET_MS; b <= last; b += BUCKET_MS) {
      intensity.push({
        bucketStart: new Date(b).toISOString(),
        emotes: Math.max(0, this.intensity.get(b) ?? 0),
        viewers: this.viewersIn(b) ?? 0,
      });
    }
    return {
      seq,
      at: new Date(this.clockMs).toISOString(),
      windows: TRENDING_WINDOWS_MINUTES.map((w) => this.window(w, surgingIn)),
      surging: surging.slice(0, this.limits.boardRows),
      liveSurges: this.surges.size,
      intensity,
    };
  }

  private window(minutes: number, surgingIn: Map<string, number>): TrendingBoard["windows"][number] {
    const newest = this.newestMinute;
    if (newest === undefined) return { minutes, emotes: [], error: 0 };
    const inWindow = (m: number) => m > newest - minutes * MINUTE_MS;
    const inBaseline = (m: number) => !inWindow(m) && m > newest - (minutes + BASELINE_MINUTES) * MINUTE_MS;
    const counts = new Map<string, number>();
    const baseline = new Map<string, number>();
    let baselineMinutes = 0;
    let error = 0;
    for (const [minute, { summary }] of this.minutes) {
      if (inWindow(minute)) {
        error += summary.maxError();
        for (const emote of summary.keys())
          counts.set(emote, (counts.get(emote) ?? 0) + (summary.get(emote)?.count ?? 0));
      } else if (inBaseline(minute)) {
        baselineMinutes++;
        for (const emote of summary.keys()) {
          baseline.set(emote, (baseline.get(emote) ?? 0) + (summary.get(emote)?.count ?? 0));
        }
      }
    }
    // The newest minute is still filling: it counts for the share of it the clock has seen.
    const seen = Math.min(1, Math.max(1 / 6, (this.clockMs - newest) / MINUTE_MS));
    const span = minutes - 1 + seen;
    const emotes: TrendingEmote[] = [];
    for (const [emote, count] of counts) {
      if (count <= 0) continue;
      // No baseline yet (a fresh start): nothing is above it.
      const expected = baselineMinutes === 0 ? count : ((baseline.get(emote) ?? 0) / baselineMinutes) * span;
      emotes.push({
        emote,
        score: round((count - expected) / Math.sqrt(expected + 1)),
        count,
        expected: round(expected),
        surgingIn: surgingIn.get(emote) ?? 0,
      });
    }
    emotes.sort((a, b) => b.score - a.score || b.count - a.count || (a.emote < b.emote ? -1 : 1));
    return { minutes, emotes: emotes.slice(0, this.limits.boardRows), error };
  }

  private strongestPerStreamer(): TrendingSurge[] {
    const best = new Map<string, TrendingSurge>();
    for (const s of this.surges.values()) {
      const held = best.get(s.streamerId);
      if (!held || bySurgeStrength(s, held) < 0) best.set(s.streamerId, s);
    }
    return [...best.values()].sort(bySurgeStrength);
  }

  private applySurge(surge: TrendingSurge): void {
    if (surge.endedAt !== undefined) {
      this.surges.delete(surge.momentId);
      this.ended.set(surge.momentId, Date.parse(surge.endedAt));
      return;
    }
    if (this.ended.has(surge.momentId)) return;
    this.surges.set(surge.momentId, surge);
  }

  private expire(): void {
    const newest = this.newestMinute;
    if (newest !== undefined) {
      for (const minute of this.minutes.keys()) {
        if (minute <= newest - KEPT_MINUTES * MINUTE_MS) this.minutes.delete(minute);
      }
    }
    // Surges are in event time, as the minutes are (record time may be far from it: a replay).
    const clock = newest === undefined ? Number.NEGATIVE_INFINITY : newest + MINUTE_MS;
    for (const [id, s] of this.surges) {
      if (Date.parse(s.startedAt) < clock - SURGE_MAX_AGE_MS) this.surges.delete(id);
    }
    while (this.surges.size > this.limits.liveSurges) {
      let weakest: TrendingSurge | undefined;
      for (const s of this.surges.values()) if (!weakest || bySurgeStrength(s, weakest) > 0) weakest = s;
      if (!weakest) break;
      this.surges.delete(weakest.momentId);
    }
    for (const [id, at] of this.ended) if (at < clock - ENDED_KEPT_MS) this.ended.delete(id);
    // Insertion order is end order: the oldest ends go first.
    for (const id of this.ended.keys()) {
      if (this.ended.size <= ENDED_MAX) break;
      this.ended.delete(id);
    }
    for (const bucket of this.intensity.keys()) {
      if (bucket < this.clockMs - INTENSITY_KEPT_MS) this.intensity.delete(bucket);
    }
    for (const bucket of this.viewers.keys()) {
      if (bucket < this.newestViewerBucket - VIEWERS_KEPT_MS) this.viewers.delete(bucket);
    }
  }
}

/** Strongest first; ties by id, so the order never depends on arrival. */
function bySurgeStrength(a: TrendingSurge, b: TrendingSurge): number {
  return b.score - a.score || (a.momentId < b.momentId ? -1 : a.momentId > b.momentId ? 1 : 0);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
