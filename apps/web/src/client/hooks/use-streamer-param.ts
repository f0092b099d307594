import { useCallback, useState } from "react";

export const DEFAULT_STREAMER = "default";
const PARAM = "streamer";

function readStreamer(): string {
  return new URLSearchParams(window.location.search).get(PARAM) || DEFAULT_STREAMER;
}

/** The selected streamer, kept in the address (`?streamer=`) so a reload or a shared link keeps it. */
export function useStreamerParam(): [string, (streamerId: string) => void] {
  const [streamerId, setStreamerId] = useState(readStreamer);
  const select = useCallback((next: string) => {
    const url = new URL(window.location.href);
    if (next === DEFAULT_STREAMER) url.searchParams.delete(PARAM);
    else url.searchParams.set(PARAM, next);
    window.history.replaceState(null, "", url);
    setStreamerId(next);
  }, []);
  return [streamerId, select];
}
