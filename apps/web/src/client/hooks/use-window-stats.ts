import type { WindowStats } from "@emote/contracts";
import { useMemo, useState } from "react";
import { trpc } from "../trpc.ts";

/** Minutes kept in memory; the chart shows the latest few. */
const MINUTES_KEPT = 30;

export interface LiveWindowStats {
  /** Oldest minute first. */
  stats: WindowStats[];
  /** When the latest update arrived, on this page's clock (null before the first). */
  receivedAt: number | null;
}

/**
 * A streamer's per-minute emote counts: first the recent minutes, then updates. The same
 * minute arrives again and again with growing counts; the latest one wins.
 */
export function useWindowStats(streamerId: string): LiveWindowStats {
  const [byMinute, setByMinute] = useState<ReadonlyMap<string, WindowStats>>(new Map());
  const [receivedAt, setReceivedAt] = useState<number | null>(null);
  trpc.stats.live.useSubscription(
    { streamerId },
    {
      onData(stats) {
        setReceivedAt(Date.now());
        setByMinute((current) => {
          const next = new Map(current);
          next.set(stats.windowStart, stats);
          if (next.size <= MINUTES_KEPT) return next;
          const oldest = [...next.keys()].sort().slice(0, next.size - MINUTES_KEPT);
          for (const key of oldest) next.delete(key);
          return next;
        });
      },
    },
  );
  const stats = useMemo(
    () => [...byMinute.values()].sort((a, b) => Date.parse(a.windowStart) - Date.parse(b.windowStart)),
    [byMinute],
  );
  return { stats, receivedAt };
}
