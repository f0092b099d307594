import type { AnalysisSettings, Moment, SurgeSettings } from "@emote/contracts";
import { DEFAULT_SURGE_SETTINGS } from "@emote/contracts";
import { z } from "zod";
import { minuteStart } from "../analysis/index.ts";
import type { SurgeMoment } from "./detector-types.ts";
import type { DetectorInput, StreamerDetector } from "./detector.ts";
import { SurgeCounts, surgeCountsJsonSchema, type RecordCounts } from "./surge-counts.ts";
import { SurgeDetector, viewerKeyOf, type SurgeState } from "./surge/surge-detector.ts";
import { surgeStateFromJson, surgeStateToText } from "./surge/surge-state.ts";

/** The surge detector's committed state for one streamer. */
export const surgeStreamerJsonSchema = z.object({
  detector: z.unknown(),
  counts: surgeCountsJsonSchema,
});

/**
 * The surge detector (detectors/surge/) behind the seam for one streamer: a detector of
 * its own whose state holds this streamer only, so it is committed in the streamer's row.
 * Its moments become the event contract's (kind "surge", the surge fields, and the
 * original fields from surge-counts.ts); a surge's end is the same id again with `endedAt`.
 */
export class SurgeStreamerDetector implements StreamerDetector {
  readonly kind = "surge";
  private settings: SurgeSettings = DEFAULT_SURGE_SETTINGS;
  private readonly detector: SurgeDetector;

  constructor(
    state: SurgeState = new Map(),
    private readonly counts = new SurgeCounts(),
  ) {
    this.detector = new SurgeDetector(state, () => this.settings);
  }

  push(record: DetectorInput, settings: AnalysisSettings): Moment[] | null {
    return this.pushKeyed(
      record.streamerId,
      record.emote,
      record.timestampMs,
      viewerKeyOf(record.viewer),
      settings.surge,
    );
  }

  /** `push` with the viewer already keyed (`surgeViewerKey`), as the worker's surge stage feeds it. */
  pushKeyed(
    streamerId: string,
    emote: string,
    timestampMs: number,
    viewer: number | undefined,
    settings: SurgeSettings,
  ): Moment[] | null {
    this.settings = settings;
    const found = this.detector.pushKeyed(streamerId, emote, timestampMs, viewer);
    if (found.length === 0) {
      this.counts.add(emote, timestampMs);
      return null;
    }
    // Ends were decided before this record counts; onsets include it.
    const ends = found.map((m) => (m.endedAt === undefined ? undefined : this.counts.close(m.id)));
    this.counts.add(emote, timestampMs);
    return found.map((m, i) =>
      toMoment(m, ends[i] ?? this.counts.open(m.id, m.emote, Date.parse(m.startedAt))),
    );
  }

  /** The committed state's JSON text: `{detector, counts}` as `surgeStreamerJsonSchema` reads it. */
  toText(): string {
    return `{"detector":${surgeStateToText(this.detector.state)},"counts":${JSON.stringify(this.counts.state)}}`;
  }

  /** From committed state; throws on a state that does not validate. */
  static fromJson(json: unknown): SurgeStreamerDetector {
    const parsed = surgeStreamerJsonSchema.parse(json);
    return new SurgeStreamerDetector(surgeStateFromJson(parsed.detector), new SurgeCounts(parsed.counts));
  }
}

/** A surge moment in the event contract's shape. */
export function toMoment(m: SurgeMoment, counts: RecordCounts): Moment {
  return {
    id: m.id,
    streamerId: m.streamerId,
    emote: m.emote,
    timestamp: new Date(minuteStart(Date.parse(m.startedAt))).toISOString(),
    count: counts.count,
    total: counts.total,
    ratio: counts.total > 0 ? counts.count / counts.total : 0,
    kind: "surge",
    surge: {
      startedAt: m.startedAt,
      detectedAt: m.detectedAt,
      ...(m.endedAt !== undefined && { endedAt: m.endedAt }),
      peakRate: m.peakRate,
      baselineRate: m.baselineRate,
      score: m.score,
      viewers: m.viewers,
    },
  };
}
