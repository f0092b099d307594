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

/**
 * A streamer's moments, newest first, without duplicates: the latest stored ones, then
 * every moment after them over the subscription. The subscription starts from the stored
 * moment last in the log (`lastEventId`), so nothing falls between the two and no stored
 * one comes again as live; a reconnect resumes from the last moment received the same
 * way. When the server signals that it cannot resume from there (the moment is gone),
 * `missed` is set and the feed goes on from now: a stored moment that then comes over the
 * subscription is neither shown twice nor counted as live. `onMoment` sees each live one once.
 */
export function useLiveMoments(streamerId: string, onMoment?: (moment: Moment) => void): LiveMoments {
  const recent = trpc.moments.history.useQuery(
    { streamerId, limit: RECENT },
    // Loaded once per mount: it fixes where the subscription starts.
    { staleTime: Number.POSITIVE_INFINITY, gcTime: 0 },
  );
  const [live, setLive] = useState<Moment[]>([]);
  const [missed, setMissed] = useState(false);
  const [arrivedLive, setArrivedLive] = useState(0);
  const seen = useRef(new Set<string>());
  const stored = recent.data?.items;
  const storedIds = useMemo(() => new Set((stored ?? []).map((m) => m.id)), [stored]);
  const from = missed ? null : (lastInLog(recent.data?.items ?? [])?.id ?? null);
  trpc.moments.live.useSubscription(recent.isPending ? skipToken : { streamerId, lastEventId: from }, {
    onError(err) {
      if (isResumePositionLost(err)) setMissed(true);
    },
    onData({ data: moment }) {
      if (seen.current.has(moment.id) || storedIds.has(moment.id)) return;
      seen.current.add(moment.id);
      setLive((current) => [moment, ...current].slice(0, FEED_KEPT));
      setArrivedLive((n) => n + 1);
      onMoment?.(moment);
    },
  });
  return useMemo(() => {
    const liveIds = new Set(live.map((m) => m.id));
    const earlier = (stored ?? []).filter((m) => !liveIds.has(m.id));
    const items = [
      ...live.map((moment) => ({ moment, live: true })),
      ...earlier.map((moment) => ({ moment, live: false })),
    ].slice(0, FEED_KEPT);
    return { items, arrivedLive, missed };
  }, [live, stored, arrivedLive, missed]);
}
