import { z } from "zod";
import { viewerSketchSchema } from "./viewer-sketch.ts";

/** Width of a bucket of viewers (and of the platform intensity). */
export const VIEWER_BUCKET_MS = 10_000;

/**
 * One streamer's emote counts in one UTC minute, as far as the worker has seen them:
 * every emote (allowed or not; the dashboard filters by the streamer's settings).
 * Published on `emote-window-stats`, key = streamerId, at most once per second per
 * streamer, for each minute that changed since the last publication. Best effort: after
 * a worker restart a minute's counts may be re-counted from the replayed emotes.
 */
export const windowStatsSchema = z
  .object({
    streamerId: z.string(),
    /** Start of the UTC minute, ISO-8601. */
    windowStart: z.iso.datetime(),
    counts: z.record(z.string(), z.number().int().nonnegative()),
    /** Sum of `counts`. */
    total: z.number().int().nonnegative(),
    /**
     * Optional (older workers send none): per 10 s bucket of the minute (event time) a
     * sketch of viewers who reacted in it. The union of every sketch sent for a bucket is
     * its viewers so far, so a record carries only the buckets, and within them only the
     * registers, that rose since the streamer's last publication.
     */
    viewers: z
      .array(z.object({ bucketStart: z.iso.datetime(), sketch: viewerSketchSchema }))
      .max(60_000 / VIEWER_BUCKET_MS)
      .optional(),
  })
  .superRefine((stats, ctx) => {
    const minute = Date.parse(stats.windowStart);
    for (const [i, b] of (stats.viewers ?? []).entries()) {
      const start = Date.parse(b.bucketStart);
      if (start < minute || start >= minute + 60_000 || start % VIEWER_BUCKET_MS !== 0)
        ctx.addIssue({
          code: "custom",
          path: ["viewers", i, "bucketStart"],
          message: "a viewer bucket starts on a 10 s boundary inside its window's minute",
        });
    }
  });
export type WindowStats = z.infer<typeof windowStatsSchema>;
