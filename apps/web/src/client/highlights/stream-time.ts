/** Time into a stream as YouTube writes it: HH:MM:SS, hours padded, never negative. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
}

/** Milliseconds from the stream's start to an ISO instant. */
export function offsetOf(streamStartedAt: string, iso: string): number {
  return Date.parse(iso) - Date.parse(streamStartedAt);
}
