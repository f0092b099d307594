import type { Moment } from "@emote/contracts";
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
  };
}
