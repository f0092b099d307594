import type { RecordHeaders } from "@emote/bus";
import type { AnalysisSettings, Moment } from "@emote/contracts";
import { traceparentFromHeaders } from "@emote/observability";
import type { PendingCounts, PendingTraces, StreamerProgress } from "@emote/db";
import type { Detector } from "./detector.ts";
import { toMoment } from "./moments.ts";
import { minuteStart, OpenBatch } from "./open-batch.ts";
import { thresholdDetector } from "./threshold.ts";

/** One streamer's analysis state: the open batch and how many batches were analysed. */
export class StreamerBatch {
  readonly batch = new OpenBatch();
  /** Per minute and emote, the traceparent of the first emote counted, if it carried one. */
  readonly traces = new Map<number, Map<string, string>>();
  constructor(
    readonly streamerId: string,
    public batchSeq = 0,
    private readonly detector: Detector = thresholdDetector,
  ) {}

  /**
   * Adds an emote; when the batch reaches the streamer's interval it is analysed and
   * cleared, and the moments it held are returned (possibly none). Otherwise null.
   */
  add(
    emote: string,
    timestampMs: number,
    settings: AnalysisSettings,
    headers: RecordHeaders | undefined,
  ): Moment[] | null {
    if (this.batch.add(emote, timestampMs)) this.noteTrace(minuteStart(timestampMs), emote, headers);
    if (this.batch.size < settings.interval) return null;
    const moments = this.detector.detect(this.batch.counts, settings).map((f) => {
      const m = toMoment(this.streamerId, this.batchSeq, f);
      const tp = this.traces.get(f.windowStartMs)?.get(f.emote);
      return tp === undefined ? m : { ...m, traceparent: tp };
    });
    this.batchSeq++;
    this.batch.clear();
    this.traces.clear();
    return moments;
  }

  /** Headers are read for a minute's first emote of each kind only: not per emote. */
  private noteTrace(minute: number, emote: string, headers: RecordHeaders | undefined): void {
    const tp = traceparentFromHeaders(headers);
    if (tp === undefined) return;
    let perEmote = this.traces.get(minute);
    if (!perEmote) {
      perEmote = new Map();
      this.traces.set(minute, perEmote);
    }
    perEmote.set(emote, tp);
  }

  toProgress(): StreamerProgress {
    const pendingCounts: PendingCounts = {};
    for (const [minute, perEmote] of this.batch.counts) pendingCounts[minute] = Object.fromEntries(perEmote);
    const pendingTraces: PendingTraces = {};
    for (const [minute, perEmote] of this.traces) {
      if (perEmote.size > 0) pendingTraces[minute] = Object.fromEntries(perEmote);
    }
    return {
      streamerId: this.streamerId,
      batchSeq: this.batchSeq,
      pendingCount: this.batch.size,
      pendingCounts,
      pendingTraces,
    };
  }

  static fromProgress(p: StreamerProgress, detector: Detector = thresholdDetector): StreamerBatch {
    const s = new StreamerBatch(p.streamerId, p.batchSeq, detector);
    for (const [minute, perEmote] of Object.entries(p.pendingCounts)) {
      s.batch.counts.set(Number(minute), new Map(Object.entries(perEmote)));
    }
    for (const [minute, perEmote] of Object.entries(p.pendingTraces)) {
      s.traces.set(Number(minute), new Map(Object.entries(perEmote)));
    }
    s.batch.size = p.pendingCount;
    return s;
  }
}
