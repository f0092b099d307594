// 24-hour clock everywhere: minute windows read best as "14:05", and it keeps the chart's axis compact.
const minute = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dateTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** A minute window's start as local "HH:MM". */
export function formatMinute(iso: string): string {
  return minute.format(new Date(iso));
}

/** A point in time with its day, local time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** `<input type="datetime-local">` value (local time) → ISO-8601 UTC, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Series colours, distinct in light and dark themes; more emotes than colours cycle the hue. */
const PALETTE = ["#14b8a6", "#ef4444", "#3b82f6", "#a855f7", "#ec4899", "#22c55e", "#94a3b8", "#f97316"];

export function emoteColor(index: number): string {
  return PALETTE[index] ?? `hsl(${(index * 137.5) % 360} 70% 55%)`;
}
