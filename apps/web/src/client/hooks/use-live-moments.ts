import type { DetectorKind } from "@emote/contracts";
import { isResumePositionLost } from "@emote/api/client";
import { skipToken } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { lastInLog } from "../resume-point.ts";
import { trpc, type Moment } from "../trpc.ts";

/** How many moments the feed keeps (the history view has the rest). */
export const FEED_KEPT = 60;
/** Stored moments shown before live ones arrive. */
const RECENT = 12;

export interface FeedItem {
  moment: Moment;
  /** Arrived over the subscription (rather than loaded as recent history). */
  live: boolean;
}

export interface LiveMoments {
  items: FeedItem[];
  /**
   * Moments that arrived live since the feed opened (backfilled after a reconnect too),
   * however many the feed keeps; never one of the history it opened with.
   */
  arrivedLive: number;
  /** The server could not resume from where the feed was: some moments are only in the history. */
  missed: boolean;
}

interface FeedState {
  /** The kinds this state is for: another choice starts the feed afresh. */
  kinds: string;
  live: Moment[];
  /** Newer versions of moments already shown (a surge's end), by id. */
  updated: Map<string, Moment>;
  missed: boolean;
  arrivedLive: number;
}

const fresh = (kinds: string): FeedState => ({
  kinds,
  live: [],
  updated: new Map(),
  missed: false,
  arrivedLive: 0,
});

/**
 * A streamer's moments of the given kinds, newest first, without duplicates: the latest
 * stored ones, then every moment after them over the subscription. The subscription
 * starts from the stored moment last in the log (`lastEventId`), so nothing falls between
 * the two and no stored one comes again as live; a reconnect resumes from the last moment
 * received the same way. When the server signals that it cannot resume from there (the
 * moment is gone), `missed` is set and the feed goes on from now. A moment that comes
 * again with the same id (a surge's end) replaces the one shown, in place. `onMoment`
 * sees each new live one once.
 */
export function useLiveMoments(
  streamerId: string,
  kinds: readonly DetectorKind[],
  onMoment?: (moment: Moment) => void,
): LiveMoments {
  const kindsKey = kinds.join(",");
  const recent = trpc.moments.history.useQuery(
    { streamerId, limit: RECENT, ...(kinds.length === 1 && { kind: kinds[0] }) },
    // Loaded once per mount and choice of kinds: it fixes where the subscription starts.
    { staleTime: Number.POSITIVE_INFINITY, gcTime: 0 },
  );
  const [state, setState] = useState(() => fresh(kindsKey));
  const seen = useRef({ kinds: kindsKey, ids: new Set<string>() });
  if (state.kinds !== kindsKey) setState(fresh(kindsKey));
  if (seen.current.kinds !== kindsKey) seen.current = { kinds: kindsKey, ids: new Set() };
  const stored = recent.data?.items;
  const storedIds = useMemo(() => new Set((stored ?? []).map((m) => m.id)), [stored]);
  const from = state.missed ? null : (lastInLog(stored ?? [])?.id ?? null);
  trpc.moments.live.useSubscription(
    recent.isPending ? skipToken : { streamerId, lastEventId: from, kinds: [...kinds] },
    {
      onError(err) {
        if (isResumePositionLost(err)) setState((s) => (s.kinds === kindsKey ? { ...s, missed: true } : s));
      },
      onData({ data: moment }) {
        if (seen.current.kinds !== kindsKey) return;
        if (seen.current.ids.has(moment.id) || storedIds.has(moment.id)) {
          setState((s) => {
            if (s.kinds !== kindsKey) return s;
            const updated = new Map(s.updated).set(moment.id, moment);
            // Only shown moments matter: the oldest versions go beyond what the feed keeps.
            for (const id of updated.keys()) {
              if (updated.size <= 2 * FEED_KEPT) break;
              updated.delete(id);
            }
            return { ...s, updated };
          });
          return;
        }
        seen.current.ids.add(moment.id);
        setState((s) =>
          s.kinds === kindsKey
            ? { ...s, live: [moment, ...s.live].slice(0, FEED_KEPT), arrivedLive: s.arrivedLive + 1 }
            : s,
        );
        onMoment?.(moment);
      },
    },
  );
  return useMemo(() => {
    const latest = (m: Moment) => state.updated.get(m.id) ?? m;
    const liveIds = new Set(state.live.map((m) => m.id));
    const earlier = (stored ?? []).filter((m) => !liveIds.has(m.id));
    const items = [
      ...state.live.map((moment) => ({ moment: latest(moment), live: true })),
      ...earlier.map((moment) => ({ moment: latest(moment), live: false })),
    ].slice(0, FEED_KEPT);
    return { items, arrivedLive: state.arrivedLive, missed: state.missed };
  }, [state, stored]);
}
