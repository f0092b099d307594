import type { RawEmote } from "@emote/contracts";
import { z } from "zod";

/** One record as the detectors see it: a validated raw emote and, when known, its viewer. */
export interface DetectorRecord extends RawEmote {
  /** The record's `viewer` header (a pseudonymous id); absent for records sent without one. */
  viewer?: string;
}

const momentBase = {
  id: z.string(),
  streamerId: z.string(),
  emote: z.string(),
  /** Onset, event time (ISO 8601). */
  startedAt: z.iso.datetime(),
  /** Event time of the record that decided the moment (ISO 8601). */
  detectedAt: z.iso.datetime(),
  score: z.number(),
};

/** A reaction surge; emitted at onset, then once more with `endedAt` (same id) when it is over. */
export const surgeMomentSchema = z.strictObject({
  ...momentBase,
  kind: z.literal("surge"),
  endedAt: z.iso.datetime().optional(),
  /** Highest viewer-capped weight in one second of the surge (so far). */
  peakRate: z.number(),
  /** The emote's expected weight per second before the surge. */
  baselineRate: z.number(),
  /** Distinct viewers (anonymous records one each): in the window at onset, over the surge at end. */
  viewers: z.number().int(),
});
export type SurgeMoment = z.infer<typeof surgeMomentSchema>;

/** The seed's rule: an emote above its share of a minute within one batch. */
export const thresholdMomentSchema = z.strictObject({
  ...momentBase,
  kind: z.literal("threshold"),
  count: z.number().int(),
  total: z.number().int(),
  ratio: z.number(),
});
export type ThresholdMoment = z.infer<typeof thresholdMomentSchema>;

export const detectedMomentSchema = z.discriminatedUnion("kind", [surgeMomentSchema, thresholdMomentSchema]);
export type DetectedMoment = z.infer<typeof detectedMomentSchema>;

/** Both detectors behind one shape: records in, in each streamer's order; moments out. */
export interface StreamDetector {
  /** Moments decided by this record; usually none (a shared empty array, not to be written). */
  push(record: DetectorRecord): readonly DetectedMoment[];
}

export type DetectorKind = DetectedMoment["kind"];
