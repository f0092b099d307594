import { INTENSITY_BUCKET_MS } from "@emote/db";

/** Slots streams.timeline answers by default, and at most (a 12 h stream has 4,320 buckets of 10 s). */
export const TIMELINE_SLOTS_DEFAULT = 720;
export const TIMELINE_SLOTS_MAX = 4_320;

/**
 * The slot width for a stream's timeline: the stored 10 s buckets when they fit in
 * `maxSlots`, else the smallest whole multiple of them that does (downsampling, never
 * paging: a heatmap wants the whole stream at once).
 */
export function timelineSlotMs(startedAt: Date, lastEmoteAt: Date, maxSlots: number): number {
  const spanMs = Math.max(0, lastEmoteAt.getTime() - startedAt.getTime());
  const buckets = Math.floor(spanMs / INTENSITY_BUCKET_MS) + 1;
  return INTENSITY_BUCKET_MS * Math.max(1, Math.ceil(buckets / maxSlots));
}

/** A stream is live while its last emote is this recent (the worker's default session gap). */
export const STREAM_LIVE_GAP_MS = 10 * 60_000;

/** Streams' hours for rates: at least a minute, so a stream of one emote has no infinite rate. */
export function streamHours(startedAt: Date, lastEmoteAt: Date): number {
  return Math.max(60_000, lastEmoteAt.getTime() - startedAt.getTime()) / 3_600_000;
}
