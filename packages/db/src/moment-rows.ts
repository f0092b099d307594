import type { Moment } from "@emote/contracts";
import type { MomentRow, NewMomentRow } from "./schema.ts";

/** The `moments` table and the event contract describe the same thing; these map between them. */
export function momentToRow(m: Moment): NewMomentRow {
  return {
    id: m.id,
    streamerId: m.streamerId,
    emote: m.emote,
    windowStart: new Date(m.timestamp),
    count: m.count,
    total: m.total,
    ratio: m.ratio,
  };
}

export function rowToMoment(r: MomentRow): Moment {
  return {
    id: r.id,
    streamerId: r.streamerId,
    emote: r.emote,
    timestamp: r.windowStart.toISOString(),
    count: r.count,
    total: r.total,
    ratio: r.ratio,
  };
}
