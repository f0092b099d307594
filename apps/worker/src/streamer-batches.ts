import type { AnalysisSettings, Moment } from "@emote/contracts";
import type { PendingCounts, StreamerProgress } from "@emote/db";
import { OpenBatch, toMoment } from "./analysis.ts";

/** One streamer's analysis state: the open batch and how many batches were analysed. */
export class StreamerBatch {
  readonly batch = new OpenBatch();
  constructor(
    readonly streamerId: string,
    public batchSeq = 0,
  ) {}

  /**
   * Adds an emote; when the batch reaches the streamer's interval it is analysed and
   * cleared, and the moments it held are returned (possibly none). Otherwise null.
   */
  add(emote: string, timestampMs: number, settings: AnalysisSettings): Moment[] | null {
    this.batch.add(emote, timestampMs);
    if (this.batch.size < settings.interval) return null;
    const moments = this.batch.analyze(settings).map((f) => toMoment(this.streamerId, this.batchSeq, f));
    this.batchSeq++;
    this.batch.clear();
    return moments;
  }

  toProgress(): StreamerProgress {
    const pendingCounts: PendingCounts = {};
    for (const [minute, perEmote] of this.batch.counts) pendingCounts[minute] = Object.fromEntries(perEmote);
    return {
      streamerId: this.streamerId,
      batchSeq: this.batchSeq,
      pendingCount: this.batch.size,
      pendingCounts,
    };
  }

  static fromProgress(p: StreamerProgress): StreamerBatch {
    const s = new StreamerBatch(p.streamerId, p.batchSeq);
    for (const [minute, perEmote] of Object.entries(p.pendingCounts)) {
      s.batch.counts.set(Number(minute), new Map(Object.entries(perEmote)));
    }
    s.batch.size = p.pendingCount;
    return s;
  }
}
