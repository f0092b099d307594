import type { DetectorKind } from "@emote/contracts";
import { localInputToIso } from "./format.ts";
import type { Moment } from "./trpc.ts";

/** The history view's filters, as the form holds them. */
export interface HistoryFilter {
  /** Empty: every streamer. */
  streamerId: string;
  /** Empty: any emote. */
  emote: string;
  /** Empty: moments of every detector. */
  kind: DetectorKind | "";
  /** `datetime-local` values (local time); empty: unbounded. */
  from: string;
  to: string;
}

/** Could `moment` be among the moments `filter` selects (so a new one should refresh the view)? */
export function filterMayInclude(filter: HistoryFilter, moment: Moment): boolean {
  if (filter.streamerId && filter.streamerId !== moment.streamerId) return false;
  if (filter.emote && filter.emote !== moment.emote) return false;
  if (filter.kind && filter.kind !== (moment.kind ?? "threshold")) return false;
  const at = Date.parse(moment.timestamp);
  const from = localInputToIso(filter.from);
  const to = localInputToIso(filter.to);
  if (from && at < Date.parse(from)) return false;
  return !(to && at > Date.parse(to));
}
