import { useCallback, useState } from "react";

export type View = "streamer" | "platform";
const PARAM = "view";

function readView(): View {
  return new URLSearchParams(window.location.search).get(PARAM) === "platform" ? "platform" : "streamer";
}

/** Which page is shown, kept in the address (`?view=platform`) so a reload or a link keeps it. */
export function useViewParam(): [View, (view: View) => void] {
  const [view, setView] = useState(readView);
  const select = useCallback((next: View) => {
    const url = new URL(window.location.href);
    if (next === "platform") url.searchParams.set(PARAM, next);
    else url.searchParams.delete(PARAM);
    window.history.replaceState(null, "", url);
    setView(next);
  }, []);
  return [view, select];
}
