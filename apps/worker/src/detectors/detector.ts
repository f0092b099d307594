import type { RecordHeaders } from "@emote/bus";
import type { AnalysisSettings, DetectorKind, Moment } from "@emote/contracts";
import type { DetectorRecord } from "./detector-types.ts";

/** A record as the worker's detectors take it: the emote, its viewer and its Kafka headers. */
export interface DetectorInput extends DetectorRecord {
  headers?: RecordHeaders | undefined;
}

/**
 * The seam: one detector of one streamer. Records go in in the streamer's order; out come
 * the moments they decide, in the event contract's shape with their `kind` (the seed's
 * rule leaves it out, as the original contract has it). A detector's state is committed
 * with the checkpoint, so the same records give the same moments however they are batched.
 */
export interface StreamerDetector {
  readonly kind: DetectorKind;
  /** Moments decided by this record (a new array, the caller's to keep); null when it decided nothing. */
  push(record: DetectorInput, settings: AnalysisSettings): Moment[] | null;
}
