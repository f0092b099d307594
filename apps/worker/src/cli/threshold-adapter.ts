import type { AnalysisSettings } from "@emote/contracts";
import { analyzeBatch, momentId, type EmoteEvent } from "../analysis.ts";
import type { DetectorRecord, StreamDetector, ThresholdMoment } from "../detectors/detector-types.ts";

/**
 * The seed's rule as a detector: each streamer's records cut into batches of `interval`,
 * each batch analysed exactly as the worker does. The rule's findings have no onset or
 * detection time: the minute window's start stands for `startedAt`, and the event time
 * of the record that completed the batch for `detectedAt`.
 */
export class ThresholdAdapter implements StreamDetector {
  private readonly batches = new Map<string, { seq: number; events: EmoteEvent[] }>();

  constructor(private readonly settings: AnalysisSettings) {}

  push(record: DetectorRecord): ThresholdMoment[] {
    let batch = this.batches.get(record.streamerId);
    if (!batch) this.batches.set(record.streamerId, (batch = { seq: 0, events: [] }));
    batch.events.push({ emote: record.emote, timestampMs: record.timestampMs });
    if (batch.events.length < this.settings.interval) return [];
    const detectedAt = new Date(record.timestampMs).toISOString();
    const moments = analyzeBatch(batch.events, this.settings).map((f): ThresholdMoment => ({
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
    batch.events = [];
    return moments;
  }
}
