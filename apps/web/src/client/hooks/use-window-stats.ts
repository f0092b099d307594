import type { WindowStats } from "@emote/contracts";
import { useState } from "react";
import { trpc } from "../trpc.ts";

/** Minutes kept in memory; the chart shows the latest few. */
const MINUTES_KEPT = 30;

/**
 * A streamer's per-minute emote counts: first the recent minutes, then updates. The same
 * minute arrives again and again with growing counts; the latest one wins.
 */
export function useWindowStats(streamerId: string): WindowStats[] {
  const [byMinute, setByMinute] = useState<ReadonlyMap<string, WindowStats>>(new Map());
  trpc.stats.live.useSubscription(
    { streamerId },
    {
      onData(stats) {
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
  return [...byMinute.values()].sort((a, b) => Date.parse(a.windowStart) - Date.parse(b.windowStart));
}
