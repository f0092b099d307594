import type { DetectorKind } from "@emote/contracts";
import { isResumePositionLost } from "@emote/api/client";
import { skipToken } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { addLive, feedItems, freshFeed, updateShown, type FeedItem } from "../feed-state.ts";
import { lastInLog } from "../resume-point.ts";
import { trpc, type Moment } from "../trpc.ts";

/** Stored moments shown before live ones arrive. */
const RECENT = 12;

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
  const [state, setState] = useState(() => freshFeed(kindsKey));
  const seen = useRef({ kinds: kindsKey, ids: new Set<string>() });
  if (state.kinds !== kindsKey) setState(freshFeed(kindsKey));
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
          setState((s) => (s.kinds === kindsKey ? updateShown(s, moment) : s));
          return;
        }
        seen.current.ids.add(moment.id);
        setState((s) => (s.kinds === kindsKey ? addLive(s, moment) : s));
        onMoment?.(moment);
      },
    },
  );
  return useMemo(
    () => ({ items: feedItems(state, stored ?? []), arrivedLive: state.arrivedLive, missed: state.missed }),
    [state, stored],
  );
}
