import type { DlqReason, Moment } from "@emote/contracts";
import { traceIdOf, type Logger } from "@emote/observability";
import type { WorkerMetrics } from "./worker-metrics.ts";

/** What one applied batch did, for its counters and debug lines. */
export interface AppliedBatch {
  topic: string;
  partition: number;
  /** Records applied (good or dead-lettered), not counting those skipped as replayed. */
  consumed: number;
  skipped: number;
  closedBatches: number;
  deadByReason: ReadonlyMap<DlqReason, number>;
  analyses: readonly { streamerId: string; moments: Moment[] }[];
  /** The last record's append time (epoch ms; 0 when unknown). */
  appliedAt: number;
}

/**
 * Counts a batch once it is durable, so a reader of the counters finds what they count
 * stored; at debug level, a line per moment.
 */
export function countApplied(metrics: WorkerMetrics, log: Logger, a: AppliedBatch): void {
  metrics.emotesConsumed.inc(a.consumed);
  if (a.skipped > 0) metrics.skippedReplayed.inc(a.skipped);
  if (a.closedBatches > 0) metrics.analyses.inc(a.closedBatches);
  for (const [reason, n] of a.deadByReason) metrics.dlqMessages.inc({ reason }, n);
  if (a.appliedAt > 0) metrics.applied(a.topic, a.partition, a.appliedAt);
  // Debug, like the generator's per-emote lines: ~4% of emotes make a moment at the
  // default settings, and an info line each cost 2–3% of the worker's CPU.
  const logMoments = a.analyses.length > 0 && log.isLevelEnabled("debug");
  for (const analysis of a.analyses) {
    metrics.momentsEmitted.inc(analysis.moments.length);
    if (!logMoments) continue;
    for (const m of analysis.moments) {
      const { id: momentId, streamerId, emote, count, total } = m;
      log.debug(
        { momentId, streamerId, emote, count, total, traceId: traceIdOf(m.traceparent) },
        "moment detected",
      );
    }
  }
}
