import { VIEWER_BUCKET_MS, ViewerSketch, type WindowStats } from "@emote/contracts";
import { minuteStart } from "./analysis/index.ts";

const MINUTE_MS = 60_000;
/**
 * Minutes behind the streamer's newest whose viewer sketches are kept after publication.
 * Older buckets' sketches are dropped: a late viewer there starts a fresh sketch, which
 * the trending merge unions with what it has (re-sending a register changes nothing).
 */
const VIEWER_MEMORY_MINUTES = 2;

/** One 10 s bucket's viewers: all seen, and the registers that rose since the last publication. */
interface BucketViewers {
  all: ViewerSketch;
  rose: ViewerSketch | undefined;
}

export interface WindowStatsOptions {
  /** Least time between two publications of one streamer's stats (default 1000 ms). */
  intervalMs?: number;
  /**
   * How many minutes behind a streamer's newest minute are still tracked (default 15).
   * Older minutes are forgotten once published, and later emotes for them are not counted.
   */
  retainMinutes?: number;
  /**
   * Minutes further than this past the wall clock (see `boundAhead`) are not counted
   * (default 2): one emote dated next year would otherwise become the stream's newest
   * minute and make every current emote late.
   */
  aheadMinutes?: number;
  /** Distinct emotes counted per minute (default 1,000); new ones beyond are not counted. */
  maxEmotesPerMinute?: number;
}

/** One streamer's counts per (UTC minute, emote), and which minutes changed since it was published. */
export class StreamerWindowCounts {
  /** Minute start (ms) → emote → count. */
  readonly minutes = new Map<number, Map<string, number>>();
  /** Minutes changed since the last publication. */
  readonly changed = new Set<number>();
  /** Minute start (ms) → 10 s bucket start (ms) → its viewers. */
  private readonly viewers = new Map<number, Map<number, BucketViewers>>();
  newestMinute = Number.NEGATIVE_INFINITY;
  lastPublishedMs = Number.NEGATIVE_INFINITY;
  /** Emotes not counted because their minute was already beyond the retention. */
  late = 0;
  /** Emotes not counted because their minute was too far ahead of the wall clock. */
  ahead = 0;
  /** Emotes not counted because their minute already had `maxEmotesPerMinute` others. */
  overflow = 0;
  // The minute last counted into, while it is in `changed`: consecutive emotes of one
  // minute (the common case) cost one comparison and one Map update.
  private currentMinute = Number.NaN;
  private current: Map<string, number> | undefined;
  // Likewise the 10 s bucket of viewers last counted into.
  private currentBucketStart = Number.NaN;
  private currentBucket: BucketViewers | undefined;

  constructor(
    readonly streamerId: string,
    private readonly tracker: WindowStatsTracker,
  ) {}

  /**
   * Counts one emote; `viewerHash` (32 bits) also counts who sent it in the 10 s bucket's
   * viewer sketch.
   */
  add(emote: string, timestampMs: number, viewerHash?: number): void {
    const minute = minuteStart(timestampMs);
    const counts = minute === this.currentMinute ? this.current : this.enter(minute);
    if (counts === undefined) return;
    if (viewerHash !== undefined) this.addViewer(minute, timestampMs, viewerHash);
    const n = counts.get(emote);
    if (n === undefined && counts.size >= this.tracker.maxEmotesPerMinute) {
      this.overflow++;
      return;
    }
    counts.set(emote, (n ?? 0) + 1);
  }

  private addViewer(minute: number, timestampMs: number, viewerHash: number): void {
    const start = timestampMs - (timestampMs % VIEWER_BUCKET_MS);
    let bucket = start === this.currentBucketStart ? this.currentBucket : undefined;
    if (bucket === undefined) {
      let buckets = this.viewers.get(minute);
      if (buckets === undefined) this.viewers.set(minute, (buckets = new Map()));
      bucket = buckets.get(start);
      if (bucket === undefined) buckets.set(start, (bucket = { all: new ViewerSketch(), rose: undefined }));
      this.currentBucketStart = start;
      this.currentBucket = bucket;
    }
    if (!bucket.all.addHash(viewerHash)) return;
    bucket.rose ??= new ViewerSketch();
    bucket.rose.addHash(viewerHash);
  }

  private enter(minute: number): Map<string, number> | undefined {
    if (minute > this.tracker.latestMinuteMs) {
      this.ahead++;
      return undefined;
    }
    if (minute > this.newestMinute) this.newestMinute = minute;
    else if (minute < this.newestMinute - this.tracker.retainMs) {
      // Its count may already be forgotten: publishing a fresh count would understate it.
      this.late++;
      return undefined;
    }
    let counts = this.minutes.get(minute);
    if (counts === undefined) {
      counts = new Map();
      this.minutes.set(minute, counts);
    }
    this.changed.add(minute);
    this.tracker.changed.add(this);
    this.currentMinute = minute;
    this.current = counts;
    return counts;
  }

  /** The changed minutes as WindowStats (oldest first); then forgets minutes beyond the retention. */
  take(nowMs: number): WindowStats[] {
    const out: WindowStats[] = [];
    for (const minute of [...this.changed].sort((a, b) => a - b)) {
      const counts = this.minutes.get(minute);
      if (counts === undefined) continue;
      let total = 0;
      for (const n of counts.values()) total += n;
      const viewers = this.takeViewers(minute);
      out.push({
        streamerId: this.streamerId,
        windowStart: new Date(minute).toISOString(),
        // fromEntries defines own properties, so even an emote named "__proto__" is kept.
        counts: Object.fromEntries(counts),
        total,
        ...(viewers.length > 0 && { viewers }),
      });
    }
    this.changed.clear();
    this.currentMinute = Number.NaN;
    this.current = undefined;
    this.currentBucketStart = Number.NaN;
    this.currentBucket = undefined;
    this.lastPublishedMs = nowMs;
    const horizon = this.newestMinute - this.tracker.retainMs;
    for (const minute of this.minutes.keys()) if (minute < horizon) this.minutes.delete(minute);
    const viewerHorizon = this.newestMinute - VIEWER_MEMORY_MINUTES * MINUTE_MS;
    for (const minute of this.viewers.keys()) if (minute < viewerHorizon) this.viewers.delete(minute);
    return out;
  }

  /** The minute's buckets whose sketch rose since the last publication: only the registers that rose. */
  private takeViewers(minute: number): NonNullable<WindowStats["viewers"]> {
    const out: NonNullable<WindowStats["viewers"]> = [];
    const buckets = this.viewers.get(minute);
    if (buckets === undefined) return out;
    for (const [start, bucket] of [...buckets].sort(([a], [b]) => a - b)) {
      if (bucket.rose === undefined) continue;
      out.push({ bucketStart: new Date(start).toISOString(), sketch: bucket.rose.encode() });
      bucket.rose = undefined;
    }
    return out;
  }

  /** Marks a minute changed again (its publication failed), if it is still tracked. */
  requeue(minute: number): void {
    if (!this.minutes.has(minute)) return;
    // What rose since is unknown now: the bucket is sent whole again.
    for (const bucket of this.viewers.get(minute)?.values() ?? []) {
      const rose = new ViewerSketch();
      rose.union(bucket.all);
      bucket.rose = rose;
    }
    this.changed.add(minute);
    this.tracker.changed.add(this);
    this.lastPublishedMs = Number.NEGATIVE_INFINITY;
  }
}

/**
 * Per-minute emote counts of every streamer, for `emote-window-stats`: every emote is
 * counted (allowed or not). `take(nowMs)` hands out, for each streamer published at
 * least `intervalMs` ago, the minutes that changed since its last publication, with their
 * full counts so far. Memory per streamer stays bounded: a minute more than
 * `retainMinutes` behind the streamer's newest minute is dropped once published. The clock
 * is a parameter, so tests need no sleeps. Not durable: the worker publishes these best
 * effort, outside the crash-safe checkpoint.
 */
export class WindowStatsTracker {
  readonly intervalMs: number;
  readonly retainMs: number;
  readonly aheadMs: number;
  readonly maxEmotesPerMinute: number;
  /** The last minute counted; no bound until `boundAhead` is called. */
  latestMinuteMs = Number.POSITIVE_INFINITY;
  /** Streamers with minutes changed since their last publication. */
  readonly changed = new Set<StreamerWindowCounts>();
  private readonly streamers = new Map<string, StreamerWindowCounts>();

  constructor(opts: WindowStatsOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.retainMs = (opts.retainMinutes ?? 15) * MINUTE_MS;
    this.aheadMs = (opts.aheadMinutes ?? 2) * MINUTE_MS;
    this.maxEmotesPerMinute = opts.maxEmotesPerMinute ?? 1_000;
  }

  /** From now on, minutes more than `aheadMinutes` past `wallNowMs` are not counted. */
  boundAhead(wallNowMs: number): void {
    this.latestMinuteMs = wallNowMs + this.aheadMs;
  }

  /**
   * Forgets streamers with nothing left to publish and no publication since `horizonMs`
   * (the worker's clock): a stream that went quiet keeps no memory.
   */
  evictIdle(horizonMs: number): void {
    for (const [id, s] of this.streamers) {
      if (s.lastPublishedMs < horizonMs && !this.changed.has(s)) this.streamers.delete(id);
    }
  }

  /** The streamer's counter; look it up once per batch and call `add` per emote. */
  streamer(streamerId: string): StreamerWindowCounts {
    let s = this.streamers.get(streamerId);
    if (s === undefined) {
      s = new StreamerWindowCounts(streamerId, this);
      this.streamers.set(streamerId, s);
    }
    return s;
  }

  add(streamerId: string, emote: string, timestampMs: number, viewerHash?: number): void {
    this.streamer(streamerId).add(emote, timestampMs, viewerHash);
  }

  /**
   * The records due at `nowMs`: for every streamer with changed minutes whose last
   * publication is at least `intervalMs` old (or all of them with `all`), one WindowStats
   * per changed minute. They count as published at `nowMs`.
   */
  take(nowMs: number, opts: { all?: boolean } = {}): WindowStats[] {
    const out: WindowStats[] = [];
    for (const s of this.changed) {
      if (!opts.all && nowMs - s.lastPublishedMs < this.intervalMs) continue;
      this.changed.delete(s);
      for (const stats of s.take(nowMs)) out.push(stats);
    }
    return out;
  }

  /** Puts records whose publication failed back in line for the next `take`. */
  requeue(records: readonly WindowStats[]): void {
    for (const r of records) this.streamers.get(r.streamerId)?.requeue(Date.parse(r.windowStart));
  }

  /** Forgets every count. */
  clear(): void {
    this.streamers.clear();
    this.changed.clear();
  }

  /** Number of streamers tracked. */
  get size(): number {
    return this.streamers.size;
  }
}
