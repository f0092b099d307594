import { useCallback, useState } from "react";

const PARAM = "streamer";

function readStreamer(): string | null {
  return new URLSearchParams(window.location.search).get(PARAM) || null;
}

/**
 * The streamer picked for the dashboard, kept in the address (`?streamer=`) so a reload or
 * a shared link keeps it; null when none was picked (the page chooses: a streamer's own).
 */
export function useStreamerParam(): [string | null, (streamerId: string) => void] {
  const [streamerId, setStreamerId] = useState(readStreamer);
  const select = useCallback((next: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set(PARAM, next);
    window.history.replaceState(null, "", url);
    setStreamerId(next);
  }, []);
  return [streamerId, select];
}
