import { z } from "zod";

/**
 * One streamer's emote counts in one UTC minute, as far as the worker has seen them:
 * every emote (allowed or not; the dashboard filters by the streamer's settings).
 * Published on `emote-window-stats`, key = streamerId, at most once per second per
 * streamer, for each minute that changed since the last publication. Best effort: after
 * a worker restart a minute's counts may be re-counted from the replayed emotes.
 */
export const windowStatsSchema = z.object({
  streamerId: z.string(),
  /** Start of the UTC minute, ISO-8601. */
  windowStart: z.iso.datetime(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** Sum of `counts`. */
  total: z.number().int().nonnegative(),
});
export type WindowStats = z.infer<typeof windowStatsSchema>;
