import type { AnalysisSettings, Moment } from "@emote/contracts";
import type { StreamerBatch } from "../analysis/index.ts";
import type { DetectorInput, StreamerDetector } from "./detector.ts";

/**
 * The seed's rule behind the seam, unchanged (analysis/): a streamer's batch of `interval`
 * emotes; when it closes, the emotes above `threshold` of a minute. Its moments carry no
 * `kind` (the original contract's shape, byte for byte). Its progress is the open batch.
 */
export class ThresholdDetector implements StreamerDetector {
  readonly kind = "threshold";

  constructor(readonly batch: StreamerBatch) {}

  /** Null until the record closes a batch; then that batch's moments (perhaps none). */
  push(record: DetectorInput, settings: AnalysisSettings): Moment[] | null {
    return this.batch.add(record.emote, record.timestampMs, settings, record.headers);
  }
}
