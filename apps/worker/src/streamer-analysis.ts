import type { AnalysisSettings } from "@emote/contracts";
import type { IntensityBucket, StreamerProgress, StreamSession } from "@emote/db";
import { z } from "zod";
import { StreamerBatch } from "./analysis/index.ts";
import type { Analysis } from "./committed-publishing.ts";
import type { DetectorInput, StreamerDetector } from "./detectors/detector.ts";
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

/**
 * One streamer's analysis on the consumer's thread: the seed's rule and the timeline,
 * with their committed state. Its surge detector runs in the surge stage (surge-stage.ts),
 * whose state this streamer's commit carries too.
 */
export class StreamerAnalysis {
  constructor(
    readonly streamerId: string,
    readonly threshold: ThresholdDetector,
    readonly timeline: StreamTimeline,
  ) {}

  static create(streamerId: string, streamGapMs: number): StreamerAnalysis {
    return new StreamerAnalysis(
      streamerId,
      new ThresholdDetector(new StreamerBatch(streamerId)),
      new StreamTimeline(streamerId, streamGapMs),
    );
  }

  static fromProgress(p: StreamerProgress, streamGapMs: number): StreamerAnalysis {
    const state = detectorStateSchema.safeParse(p.detectorState);
    const timeline = state.success ? timelineJsonSchema.safeParse(state.data.timeline) : undefined;
    return new StreamerAnalysis(
      p.streamerId,
      new ThresholdDetector(StreamerBatch.fromProgress(p)),
      new StreamTimeline(p.streamerId, streamGapMs, timeline?.success ? timeline.data : undefined),
    );
  }

  /** The detectors of this thread that `settings.detectors` turn on: the seed's rule, or none. */
  detectors(settings: AnalysisSettings): StreamerDetector[] {
    return settings.detectors.includes("threshold") ? [this.threshold] : [];
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

  /**
   * What a commit stores of this streamer, as it stands: the timeline rows the batch touched
   * (taken: the next batch writes only what changes after), and its progress once the
   * surge detector's state is known (`surge`, JSON text from the surge stage, when it runs
   * for this streamer). The detector state goes as JSON text, the surge part spliced in as
   * it came.
   */
  take(): StreamerCommitPart {
    const rows = this.timeline.take();
    const batch = this.threshold.batch.toProgress();
    const timeline = JSON.stringify(this.timeline.toJson());
    return {
      ...rows,
      progress: (surge) => ({
        ...batch,
        detectorState: `{"version":1,${surge === undefined ? "" : `"surge":${surge},`}"timeline":${timeline}}`,
      }),
    };
  }
}

/** What a commit stores of one streamer: its progress row, and the timeline rows its batch touched. */
export interface StreamerCommit {
  progress: StreamerProgress;
  buckets: IntensityBucket[];
  streams: StreamSession[];
}

/** One streamer's share of a commit, taken at once (`StreamerAnalysis.take`); its progress once the surge state is known. */
export interface StreamerCommitPart extends Omit<StreamerCommit, "progress"> {
  progress(surge?: string): StreamerProgress;
}

/** The surge detector's committed state in a streamer's stored progress (undefined: none). */
export function committedSurgeState(p: StreamerProgress): unknown {
  const state = detectorStateSchema.safeParse(p.detectorState);
  return state.success ? state.data.surge : undefined;
}
