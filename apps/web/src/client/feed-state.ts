import type { Moment } from "./trpc.ts";

/** How many moments the feed keeps (the history view has the rest). */
export const FEED_KEPT = 60;

export interface FeedItem {
  moment: Moment;
  /** Arrived over the subscription (rather than loaded as recent history). */
  live: boolean;
}

/** What the live feed holds besides the stored moments it opened with. */
export interface FeedState {
  /** The kinds this state is for: another choice starts the feed afresh. */
  kinds: string;
  /** Live moments, newest first, at most FEED_KEPT. */
  live: Moment[];
  /** Newer versions of moments already shown (a surge's end), by id, at most 2 × FEED_KEPT. */
  updated: Map<string, Moment>;
  missed: boolean;
  arrivedLive: number;
}

export const freshFeed = (kinds: string): FeedState => ({
  kinds,
  live: [],
  updated: new Map(),
  missed: false,
  arrivedLive: 0,
});

/** A moment not shown yet: first in the feed, counted as arrived. */
export function addLive(state: FeedState, moment: Moment): FeedState {
  return { ...state, live: [moment, ...state.live].slice(0, FEED_KEPT), arrivedLive: state.arrivedLive + 1 };
}

/** A moment shown already came again (a surge's end): it replaces the shown one, in place. */
export function updateShown(state: FeedState, moment: Moment): FeedState {
  const updated = new Map(state.updated).set(moment.id, moment);
  // Only shown moments matter: the oldest versions go beyond what the feed keeps.
  for (const id of updated.keys()) {
    if (updated.size <= 2 * FEED_KEPT) break;
    updated.delete(id);
  }
  return { ...state, updated };
}

/** The feed's items: live moments first, then the stored ones not among them, each in its latest version. */
export function feedItems(state: FeedState, stored: readonly Moment[]): FeedItem[] {
  const latest = (m: Moment) => state.updated.get(m.id) ?? m;
  const liveIds = new Set(state.live.map((m) => m.id));
  const earlier = stored.filter((m) => !liveIds.has(m.id));
  return [
    ...state.live.map((moment) => ({ moment: latest(moment), live: true })),
    ...earlier.map((moment) => ({ moment: latest(moment), live: false })),
  ].slice(0, FEED_KEPT);
}
