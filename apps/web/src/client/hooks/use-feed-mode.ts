import type { DetectorKind } from "@emote/contracts";
import { useCallback, useState } from "react";

/** What the live feed shows: highlights only (the default), or the seed's rule's moments too. */
export type FeedMode = "highlights" | "all";

const STORAGE_KEY = "emote-pulse.feed";

export const FEED_KINDS: Record<FeedMode, readonly DetectorKind[]> = {
  highlights: ["surge"],
  all: ["threshold", "surge"],
};

function readMode(): FeedMode {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === "all" ? "all" : "highlights";
  } catch {
    return "highlights"; // storage refused (private mode): the default
  }
}

/** The feed's mode, remembered in this browser. */
export function useFeedMode(): [FeedMode, (mode: FeedMode) => void] {
  const [mode, setMode] = useState(readMode);
  const choose = useCallback((next: FeedMode) => {
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered, still applied.
    }
    setMode(next);
  }, []);
  return [mode, choose];
}
