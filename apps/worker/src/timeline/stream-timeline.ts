import { shortId } from "../short-id.ts";
import type { IntensityBucket, StreamSession } from "@emote/db";
import { z } from "zod";
import { viewerHash } from "../viewer-header.ts";

/** Width of a timeline bucket (event time). */
export const INTENSITY_BUCKET_MS = 10_000;
/** Leading emotes kept per bucket, most used first. */
export const LEADING_EMOTES = 5;
/**
 * Viewers a bucket remembers; beyond, each record of a viewer not remembered counts as a
 * new one (an upper estimate, reached only above 1,000 distinct viewers in 10 s).
 */
export const MAX_BUCKET_VIEWERS = 1_000;
/** Emotes a bucket counts apart; more (hostile chat) count in its total only. */
const MAX_BUCKET_EMOTES = 64;
export const DEFAULT_STREAM_GAP_MS = 10 * 60_000;

const streamSchema = z.object({
  id: z.string(),
  startedAtMs: z.number(),
  lastEmoteAtMs: z.number(),
  emotes: z.number(),
});
const bucketSchema = z.object({
  startMs: z.number(),
  streamId: z.string(),
  emotes: z.number(),
  counts: z.record(z.string(), z.number()),
  viewers: z.array(z.number()).max(MAX_BUCKET_VIEWERS),
  /** Records without a viewer, and viewers beyond the remembered ones: one viewer each. */
  extraViewers: z.number(),
});
export const timelineJsonSchema = z.object({
  stream: streamSchema.nullable(),
  bucket: bucketSchema.nullable(),
});
export type TimelineJson = z.infer<typeof timelineJsonSchema>;

type Stream = z.infer<typeof streamSchema>;
interface Bucket extends Omit<z.infer<typeof bucketSchema>, "viewers" | "counts"> {
  counts: Map<string, number>;
  viewers: Set<number>;
}

/** Deterministic: a replay writes the same stream row. */
export function streamId(streamerId: string, startedAtMs: number): string {
  return shortId(`stream\u0000${streamerId}\u0000${startedAtMs}`);
}

/**
 * One streamer's timeline in event time: its stream sessions (a new one after `gapMs` of
 * silence) and 10 s intensity buckets (emotes, distinct viewers, leading emotes). Only the
 * open bucket and the current stream are held; the rows a batch touched are taken for its
 * commit with their absolute values, so a bucket split across batches adds up exactly and a
 * replayed commit writes the same rows. A record older than the open bucket counts in it.
 */
export class StreamTimeline {
  private stream: Stream | null;
  private bucket: Bucket | null;
  private readonly closedBuckets: IntensityBucket[] = [];
  private readonly closedStreams: StreamSession[] = [];
  private dirty = false;

  constructor(
    readonly streamerId: string,
    private readonly gapMs: number,
    json: TimelineJson = { stream: null, bucket: null },
  ) {
    this.stream = json.stream;
    this.bucket = json.bucket && {
      ...json.bucket,
      counts: new Map(Object.entries(json.bucket.counts)),
      viewers: new Set(json.bucket.viewers),
    };
  }

  add(emote: string, timestampMs: number, viewer: string | undefined): void {
    const stream = this.streamAt(timestampMs);
    const bucket = this.bucketAt(timestampMs, stream.id);
    this.dirty = true;
    stream.emotes++;
    bucket.emotes++;
    const count = bucket.counts.get(emote);
    if (count !== undefined) bucket.counts.set(emote, count + 1);
    else if (bucket.counts.size < MAX_BUCKET_EMOTES) bucket.counts.set(emote, 1);
    if (viewer === undefined) {
      bucket.extraViewers++;
      return;
    }
    const h = viewerHash(viewer);
    if (bucket.viewers.has(h)) return;
    if (bucket.viewers.size < MAX_BUCKET_VIEWERS) bucket.viewers.add(h);
    else bucket.extraViewers++;
  }

  /** The rows touched since the last call, for the commit. */
  take(): { buckets: IntensityBucket[]; streams: StreamSession[] } {
    const buckets = this.closedBuckets.splice(0);
    const streams = this.closedStreams.splice(0);
    if (this.dirty) {
      if (this.bucket) buckets.push(this.bucketRow(this.bucket));
      if (this.stream) streams.push(this.streamRow(this.stream));
      this.dirty = false;
    }
    return { buckets, streams };
  }

  toJson(): TimelineJson {
    const b = this.bucket;
    return {
      stream: this.stream && { ...this.stream },
      bucket: b && { ...b, counts: Object.fromEntries(b.counts), viewers: [...b.viewers] },
    };
  }

  private streamAt(timestampMs: number): Stream {
    const current = this.stream;
    if (current && timestampMs - current.lastEmoteAtMs <= this.gapMs) {
      if (timestampMs > current.lastEmoteAtMs) current.lastEmoteAtMs = timestampMs;
      return current;
    }
    if (current) this.closedStreams.push(this.streamRow(current));
    const next = {
      id: streamId(this.streamerId, timestampMs),
      startedAtMs: timestampMs,
      lastEmoteAtMs: timestampMs,
      emotes: 0,
    };
    this.stream = next;
    return next;
  }

  private bucketAt(timestampMs: number, streamId: string): Bucket {
    const startMs = Math.floor(timestampMs / INTENSITY_BUCKET_MS) * INTENSITY_BUCKET_MS;
    const current = this.bucket;
    if (current && startMs <= current.startMs && current.streamId === streamId) return current;
    if (current) this.closedBuckets.push(this.bucketRow(current));
    const next: Bucket = {
      startMs,
      streamId,
      emotes: 0,
      counts: new Map(),
      viewers: new Set(),
      extraViewers: 0,
    };
    this.bucket = next;
    return next;
  }

  private bucketRow(b: Bucket): IntensityBucket {
    const leading = [...b.counts]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .slice(0, LEADING_EMOTES)
      .map(([emote, count]) => ({ emote, count }));
    return {
      streamerId: this.streamerId,
      bucketStartMs: b.startMs,
      streamId: b.streamId,
      emotes: b.emotes,
      viewers: b.viewers.size + b.extraViewers,
      leading,
    };
  }

  private streamRow(s: Stream): StreamSession {
    return {
      id: s.id,
      streamerId: this.streamerId,
      startedAtMs: s.startedAtMs,
      lastEmoteAtMs: s.lastEmoteAtMs,
      emotes: s.emotes,
    };
  }
}
