import type { RawEmote } from "@emote/contracts";

/** One record as the detectors see it: a validated raw emote and, when known, its viewer. */
export interface DetectorRecord extends RawEmote {
  /** The record's `viewer` header (a pseudonymous id); absent for records sent without one. */
  viewer?: string;
}

interface MomentBase {
  id: string;
  streamerId: string;
  emote: string;
  /** Onset, event time (ISO 8601). */
  startedAt: string;
  /** Event time of the record that decided the moment (ISO 8601). */
  detectedAt: string;
  score: number;
}

/** A reaction surge; emitted at onset, then once more with `endedAt` (same id) when it is over. */
export interface SurgeMoment extends MomentBase {
  kind: "surge";
  endedAt?: string;
  /** Highest viewer-capped weight in one second of the surge (so far). */
  peakRate: number;
  /** The emote's expected weight per second before the surge. */
  baselineRate: number;
  /** Distinct viewers (anonymous records one each): in the window at onset, over the surge at end. */
  viewers: number;
}

/** The seed's rule: an emote above its share of a minute within one batch. */
export interface ThresholdMoment extends MomentBase {
  kind: "threshold";
  count: number;
  total: number;
  ratio: number;
}

export type DetectedMoment = SurgeMoment | ThresholdMoment;

/** Both detectors behind one shape: records in, in each streamer's order; moments out. */
export interface StreamDetector {
  push(record: DetectorRecord): DetectedMoment[];
}

export type DetectorKind = DetectedMoment["kind"];
