import { z } from "zod";
import { viewerSketchSchema } from "./viewer-sketch.ts";

/**
 * A surge as the trending stage carries it: the fields of a surge moment (kind "surge")
 * the platform view needs. `endedAt` set: the surge is over.
 */
export const trendingSurgeSchema = z.object({
  /** The surge moment's id: its end is the same id again with `endedAt`. */
  momentId: z.string(),
  streamerId: z.string(),
  emote: z.string(),
  score: z.number(),
  viewers: z.number().int().nonnegative(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
});
export type TrendingSurge = z.infer<typeof trendingSurgeSchema>;

/** Signed change of one UTC minute's platform-wide emote counts (a replayed snapshot may lower them). */
export const minuteDeltaSchema = z.object({
  /** Start of the UTC minute, epoch milliseconds. */
  minute: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  total: z.number().int(),
});
export type MinuteDelta = z.infer<typeof minuteDeltaSchema>;

/** Emotes seen in one 10 s bucket of publication time (the window stats' record time). */
export const intensityDeltaSchema = z.object({
  /** Start of the 10 s bucket, epoch milliseconds. */
  bucketStart: z.number().int(),
  emotes: z.number().int(),
});
export type IntensityDelta = z.infer<typeof intensityDeltaSchema>;

/** Viewers seen in one 10 s bucket of event time: a sketch the merge unions with what it holds. */
export const viewersDeltaSchema = z.object({
  /** Start of the 10 s bucket, epoch milliseconds. */
  bucketStart: z.number().int(),
  sketch: viewerSketchSchema,
});
export type ViewersDelta = z.infer<typeof viewersDeltaSchema>;

/**
 * One record on `trending-partials`: what one batch of one input partition changed,
 * pre-aggregated over its streamers. `source` and `seq` make it idempotent: the merge
 * applies each (source, seq) once, in seq order per source.
 */
export const trendingPartialSchema = z.object({
  /** The input partition, "<topic>:<partition>". */
  source: z.string().min(1),
  /** 1, 2, 3, … per source, without gaps. */
  seq: z.number().int().positive(),
  /** Latest record time (epoch ms) of the input batch: the merge's clock. */
  at: z.number().int(),
  minutes: z.array(minuteDeltaSchema),
  intensity: z.array(intensityDeltaSchema),
  surges: z.array(trendingSurgeSchema),
  /** Optional (absent from partials of before it): the batch's viewers per 10 s bucket. */
  viewers: z.array(viewersDeltaSchema).optional(),
});
export type TrendingPartial = z.infer<typeof trendingPartialSchema>;

/** An emote trending platform-wide in one sliding window. */
export const trendingEmoteSchema = z.object({
  emote: z.string(),
  /** How far above its own platform baseline: (count − expected) / √(expected + 1). */
  score: z.number(),
  /** Its count in the window (a top-K estimate: at most `error` above the true count). */
  count: z.number().int().nonnegative(),
  /** What its baseline predicts for the window. */
  expected: z.number().nonnegative(),
  /** How many streamers it is surging in now. */
  surgingIn: z.number().int().nonnegative(),
});
export type TrendingEmote = z.infer<typeof trendingEmoteSchema>;

export const TRENDING_WINDOWS_MINUTES = [1, 10] as const;

/** Platform intensity in one 10 s bucket, as boards and `trending.history` give it. */
export const platformIntensitySchema = z.object({
  bucketStart: z.iso.datetime(),
  emotes: z.number().int().nonnegative(),
  /**
   * Distinct viewers platform-wide (a viewer in several streams counts once), a
   * HyperLogLog estimate (±1.6 %); absent from boards made before viewers were counted.
   */
  viewers: z.number().int().nonnegative().optional(),
});
export type PlatformIntensity = z.infer<typeof platformIntensitySchema>;

/**
 * One state of the platform view, published on `trending` by the merge and served by
 * `trending.live`. Each board replaces the previous one; `seq` orders them.
 */
export const trendingBoardSchema = z.object({
  seq: z.number().int().positive(),
  /** The merge's clock: the latest input record time, ISO 8601. */
  at: z.iso.datetime(),
  windows: z.array(
    z.object({
      minutes: z.number().int().positive(),
      emotes: z.array(trendingEmoteSchema),
      /** Largest overestimate of any count in this window (0: exact). */
      error: z.number().int().nonnegative(),
    }),
  ),
  /** The strongest live surges, one per streamer, strongest first. */
  surging: z.array(trendingSurgeSchema),
  /** Live surges on the platform now (the list above is the strongest of them). */
  liveSurges: z.number().int().nonnegative(),
  /** The last minute of platform intensity, 10 s buckets, oldest first. */
  intensity: z.array(platformIntensitySchema),
});
export type TrendingBoard = z.infer<typeof trendingBoardSchema>;
