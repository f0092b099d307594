import { useEffect, useState } from "react";

/** The time, updated every `intervalMs`: for what changes with time alone (a stall on the chart). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
