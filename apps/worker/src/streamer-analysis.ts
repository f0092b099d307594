import type { AnalysisSettings } from "@emote/contracts";
import type { StreamerProgress } from "@emote/db";
import { z } from "zod";
import { StreamerBatch } from "./analysis/index.ts";
import type { Analysis } from "./committed-publishing.ts";
import type { DetectorInput, StreamerDetector } from "./detectors/detector.ts";
import { SurgeStreamerDetector } from "./detectors/surge-streamer.ts";
import { ThresholdDetector } from "./detectors/threshold-detector.ts";
import { StreamTimeline, timelineJsonSchema } from "./timeline/stream-timeline.ts";

/**
 * `streamer_progress.detector_state`: what the streaming detectors and the timeline need
 * to go on exactly where the commit left them. Versioned; a part that does not validate
 * (an older format) starts over rather than stalling the partition.
 */
const detectorStateSchema = z.object({
  version: z.literal(1),
  surge: z.unknown().optional(),
  timeline: z.unknown().optional(),
});

/** One streamer's analysis: its detectors (the seam) and its timeline, with their committed state. */
export class StreamerAnalysis {
  private surge: SurgeStreamerDetector | null;

  constructor(
    readonly streamerId: string,
    readonly threshold: ThresholdDetector,
    surge: SurgeStreamerDetector | null,
    readonly timeline: StreamTimeline,
  ) {
    this.surge = surge;
  }

  static create(streamerId: string, streamGapMs: number): StreamerAnalysis {
    return new StreamerAnalysis(
      streamerId,
      new ThresholdDetector(new StreamerBatch(streamerId)),
      null,
      new StreamTimeline(streamerId, streamGapMs),
    );
  }

  static fromProgress(p: StreamerProgress, streamGapMs: number): StreamerAnalysis {
    const state = detectorStateSchema.safeParse(p.detectorState);
    const surge = state.success && state.data.surge !== undefined ? restored(state.data.surge) : null;
    const timeline = state.success ? timelineJsonSchema.safeParse(state.data.timeline) : undefined;
    return new StreamerAnalysis(
      p.streamerId,
      new ThresholdDetector(StreamerBatch.fromProgress(p)),
      surge,
      new StreamTimeline(p.streamerId, streamGapMs, timeline?.success ? timeline.data : undefined),
    );
  }

  /**
   * The detectors `settings.detectors` turn on, the seed's rule first. One turned off
   * forgets its streaming state (a surge detector turned on again learns a new baseline);
   * the seed's rule keeps its open batch.
   */
  detectors(settings: AnalysisSettings): StreamerDetector[] {
    const on: StreamerDetector[] = [];
    if (settings.detectors.includes("threshold")) on.push(this.threshold);
    if (settings.detectors.includes("surge")) on.push((this.surge ??= new SurgeStreamerDetector()));
    else this.surge = null;
    return on;
  }

  /**
   * Feeds one record to the timeline and to `detectors` (this streamer's, from `detectors()`);
   * their moments are appended to `out`. True when the seed's rule closed a batch.
   */
  push(
    record: DetectorInput,
    detectors: StreamerDetector[],
    settings: AnalysisSettings,
    out: Analysis[],
  ): boolean {
    this.timeline.add(record.emote, record.timestampMs, record.viewer);
    let closed = false;
    for (const detector of detectors) {
      const moments = detector.push(record, settings);
      if (moments === null) continue;
      if (detector.kind === "threshold") closed = true;
      if (moments.length > 0) out.push({ streamerId: this.streamerId, moments });
    }
    return closed;
  }

  toProgress(): StreamerProgress {
    return {
      ...this.threshold.batch.toProgress(),
      detectorState: {
        version: 1,
        ...(this.surge && { surge: this.surge.toJson() }),
        timeline: this.timeline.toJson(),
      },
    };
  }
}

function restored(json: unknown): SurgeStreamerDetector | null {
  try {
    return SurgeStreamerDetector.fromJson(json);
  } catch {
    return null;
  }
}
