import type { Moment, SurgeFields } from "@emote/contracts";
import type { MomentRow } from "./schema.ts";

/** A stored moment: it always has its place in the moment log. */
export type StoredMoment = Moment & { position: number };

/** A stored moment in the event contract's shape. */
export function rowToMoment(r: MomentRow): StoredMoment {
  return {
    id: r.id,
    streamerId: r.streamerId,
    emote: r.emote,
    timestamp: r.windowStart.toISOString(),
    count: r.count,
    total: r.total,
    ratio: r.ratio,
    position: r.position,
    ...(r.traceparent !== null && { traceparent: r.traceparent }),
    ...(r.kind === "surge" ? { kind: "surge", surge: surgeFields(r) } : {}),
  };
}

/** A surge row's fields (their columns are null only on the seed's rule's rows). */
function surgeFields(r: MomentRow): SurgeFields {
  return {
    startedAt: (r.startedAt ?? r.windowStart).toISOString(),
    detectedAt: (r.decidedAt ?? r.detectedAt).toISOString(),
    ...(r.endedAt !== null && { endedAt: r.endedAt.toISOString() }),
    peakRate: r.peakRate ?? 0,
    baselineRate: r.baselineRate ?? 0,
    score: r.score ?? 0,
    viewers: r.viewers ?? 0,
  };
}

/** A moment as the commit's JSON rows carry it: the surge fields flattened to their columns. */
export function momentToRow(m: Moment) {
  const { surge, ...base } = m;
  if (!surge) return base;
  return {
    ...base,
    startedAt: surge.startedAt,
    decidedAt: surge.detectedAt,
    endedAt: surge.endedAt,
    peakRate: surge.peakRate,
    baselineRate: surge.baselineRate,
    score: surge.score,
    viewers: surge.viewers,
  };
}
