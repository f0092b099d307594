import type { AnalysisSettings } from "@emote/contracts";
import { momentId, OpenBatch, thresholdDetector } from "../analysis/index.ts";
import type { DetectorRecord, StreamDetector, ThresholdMoment } from "../detectors/detector-types.ts";

/**
 * The seed's rule as a detector: each streamer's records cut into batches of `interval`,
 * each batch counted and analysed by the worker's own open batch and threshold detector. The rule's findings have no onset or
 * detection time: the minute window's start stands for `startedAt`, and the event time
 * of the record that completed the batch for `detectedAt`.
 */
export class ThresholdAdapter implements StreamDetector {
  private readonly batches = new Map<string, { seq: number; open: OpenBatch }>();

  constructor(private readonly settings: AnalysisSettings) {}

  push(record: DetectorRecord): readonly ThresholdMoment[] {
    let batch = this.batches.get(record.streamerId);
    if (!batch) this.batches.set(record.streamerId, (batch = { seq: 0, open: new OpenBatch() }));
    batch.open.add(record.emote, record.timestampMs);
    if (batch.open.size < this.settings.interval) return [];
    const detectedAt = new Date(record.timestampMs).toISOString();
    const moments = thresholdDetector.detect(batch.open.counts, this.settings).map((f): ThresholdMoment => ({
      id: momentId(record.streamerId, batch.seq, f.windowStartMs, f.emote),
      streamerId: record.streamerId,
      emote: f.emote,
      kind: "threshold",
      startedAt: new Date(f.windowStartMs).toISOString(),
      detectedAt,
      score: f.ratio,
      count: f.count,
      total: f.total,
      ratio: f.ratio,
    }));
    batch.seq++;
    batch.open.clear();
    return moments;
  }
}
