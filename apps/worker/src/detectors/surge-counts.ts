import { z } from "zod";
import { ringSlot } from "./ring-slot.ts";

/** Seconds of per-second counts kept: a surge's onset lies at most this far before its detection. */
export const COUNT_RING_S = 16;
/** Emotes counted apart per second; more (hostile chat) count in the total only. */
const MAX_EMOTES_PER_SECOND = 64;

/**
 * What a surge moment reports in the original fields: `count`, the emote's records from
 * the surge's onset (`startedAt`) on, and `total`, all the streamer's records in that
 * time, until its end is decided. The onset is found after the fact, so the last
 * COUNT_RING_S seconds are kept per second; from detection on, each surge in progress
 * counts as records come. Deterministic in event time like the detector: a record older
 * than the ring counts in its oldest second.
 */
export const surgeCountsJsonSchema = z.object({
  sec: z.array(z.number()).length(COUNT_RING_S),
  total: z.array(z.number()).length(COUNT_RING_S),
  emotes: z.array(z.record(z.string(), z.number())).length(COUNT_RING_S),
  newestSec: z.number(),
  open: z.record(
    z.string(),
    z.object({ emote: z.string(), fromSec: z.number(), count: z.number(), total: z.number() }),
  ),
});
export type SurgeCountsJson = z.infer<typeof surgeCountsJsonSchema>;
type OpenCounts = SurgeCountsJson["open"][string];

export interface RecordCounts {
  count: number;
  total: number;
}

/**
 * A second's counts per emote. Without a prototype V8 keeps it as a hash table from the
 * start: a plain `{}` per second, filled with emotes in a different order each time, gave
 * every second a hidden class of its own and made each count a megamorphic lookup (about
 * 1.7× slower per record). It serialises as the plain object the JSON holds.
 */
function perSecond(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

export class SurgeCounts {
  /**
   * Derived from `state` (not committed): emotes counted apart per slot, and the surges
   * open (the same objects as in `state.open`, in an array: `for…in` over the record on
   * every record cost more than the counting).
   */
  private readonly emotesPerSlot: number[];
  private readonly openList: OpenCounts[];

  constructor(
    readonly state: SurgeCountsJson = {
      sec: new Array<number>(COUNT_RING_S).fill(-1),
      total: new Array<number>(COUNT_RING_S).fill(0),
      emotes: Array.from({ length: COUNT_RING_S }, perSecond),
      newestSec: Number.NEGATIVE_INFINITY,
      open: {},
    },
  ) {
    this.emotesPerSlot = state.emotes.map((perEmote) => Object.keys(perEmote).length);
    this.openList = Object.values(state.open);
  }

  /** Counts one record (after its moments' ends were taken, before its onsets are opened). */
  add(emote: string, timestampMs: number): void {
    const s = this.state;
    const recordSec = Math.floor(timestampMs / 1000);
    if (recordSec > s.newestSec) s.newestSec = recordSec;
    const sec = Math.max(recordSec, s.newestSec - COUNT_RING_S + 1);
    const slot = ringSlot(sec, COUNT_RING_S);
    if (s.sec[slot] !== sec) {
      s.sec[slot] = sec;
      s.total[slot] = 0;
      s.emotes[slot] = perSecond();
      this.emotesPerSlot[slot] = 0;
    }
    s.total[slot] = (s.total[slot] ?? 0) + 1;
    const perEmote = s.emotes[slot] as Record<string, number>;
    const before = perEmote[emote];
    if (before !== undefined) perEmote[emote] = before + 1;
    else if ((this.emotesPerSlot[slot] ?? 0) < MAX_EMOTES_PER_SECOND) {
      perEmote[emote] = 1;
      this.emotesPerSlot[slot] = (this.emotesPerSlot[slot] ?? 0) + 1;
    }
    for (const surge of this.openList) {
      if (sec < surge.fromSec) continue;
      surge.total++;
      if (surge.emote === emote) surge.count++;
    }
  }

  /** A surge found: its counts from `startedAtMs` up to now (this record included), then kept up. */
  open(id: string, emote: string, startedAtMs: number): RecordCounts {
    const s = this.state;
    const fromSec = Math.max(Math.floor(startedAtMs / 1000), s.newestSec - COUNT_RING_S + 1);
    let count = 0;
    let total = 0;
    for (let slot = 0; slot < COUNT_RING_S; slot++) {
      const sec = s.sec[slot] as number;
      if (sec < fromSec) continue;
      total += s.total[slot] ?? 0;
      count += s.emotes[slot]?.[emote] ?? 0;
    }
    const surge = { emote, fromSec, count, total };
    this.forget(id);
    s.open[id] = surge;
    this.openList.push(surge);
    return { count, total };
  }

  /** A surge over: its counts, and it is no longer kept up. Unknown (opened before a reset): none. */
  close(id: string): RecordCounts {
    const surge = this.forget(id);
    return { count: surge?.count ?? 0, total: surge?.total ?? 0 };
  }

  private forget(id: string): OpenCounts | undefined {
    const surge = this.state.open[id];
    if (surge === undefined) return undefined;
    delete this.state.open[id];
    this.openList.splice(this.openList.indexOf(surge), 1);
    return surge;
  }
}
