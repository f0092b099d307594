import { z } from "zod";
import { detectorKindSchema } from "./settings.ts";

/**
 * What the surge detector adds to a moment (kind "surge"): a reaction surge of one emote
 * against the streamer's own recent baseline. All times are event time (ISO 8601).
 */
export const surgeFieldsSchema = z.object({
  /** Onset of the surge. */
  startedAt: z.iso.datetime(),
  /** Event time of the record that decided the surge. */
  detectedAt: z.iso.datetime(),
  /**
   * Set once the surge is over: the same moment (same id) published again with a new
   * position in the moment log; readers replace what they hold for that id.
   */
  endedAt: z.iso.datetime().optional(),
  /** Highest viewer-capped weight of the emote in one second of the surge (so far). */
  peakRate: z.number().nonnegative(),
  /** The emote's expected weight per second before the surge. */
  baselineRate: z.number().nonnegative(),
  /** How far above its baseline (roughly a z-score); higher is stronger. */
  score: z.number(),
  /** Distinct viewers: in the detection window at onset, over the whole surge at its end. */
  viewers: z.number().int().nonnegative(),
});
export type SurgeFields = z.infer<typeof surgeFieldsSchema>;

/**
 * A significant moment. Without `kind` (or with kind "threshold"): `emote` held more than
 * `threshold` of a UTC minute's allowed emotes in one batch (the seed's rule, unchanged).
 * With kind "surge": `surge` says when and how strongly; `timestamp` is the UTC minute
 * of its onset, `count` the emote's weight over the surge so far, `total` every emote of
 * the streamer in that time and `ratio` their quotient, so the original readers still
 * read a valid moment.
 */
export const momentSchema = z
  .object({
    id: z.string(),
    streamerId: z.string(),
    emote: z.string(),
    /** Start of the UTC minute window, ISO-8601. */
    timestamp: z.iso.datetime(),
    count: z.number().int(),
    total: z.number().int(),
    ratio: z.number(),
    /**
     * W3C traceparent whose trace id is that of the first emote counted for this moment
     * (as its producer sent it in the `traceparent` Kafka header). Absent when that emote
     * had none. Optional: the original contract's readers ignore it.
     */
    traceparent: z
      .string()
      .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
      .optional(),
    /**
     * The moment's place in the moment log (1, 2, 3, … in the order the worker's commits
     * made moments durable, without gaps): gateways deliver moments in this order and resume
     * subscribers from it. Set by the worker on every moment it publishes; optional so the
     * original contract's shape stays valid.
     */
    position: z.number().int().positive().optional(),
    /** Which detector found it; absent means "threshold" (the original contract has no kind). */
    kind: detectorKindSchema.optional(),
    /** Present exactly when kind is "surge". */
    surge: surgeFieldsSchema.optional(),
  })
  .refine((m) => (m.kind === "surge") === (m.surge !== undefined), {
    message: "a moment has surge fields exactly when its kind is surge",
  });
export type Moment = z.infer<typeof momentSchema>;

/** Value of one `aggregated-emote-data` message: the moments of one analysis. */
export const aggregatedMessageSchema = z.array(momentSchema).min(1);

/** The detector that found a moment (the original contract's moments have no kind: the seed's rule). */
export function momentKind(m: Pick<Moment, "kind">): z.infer<typeof detectorKindSchema> {
  return m.kind ?? "threshold";
}
