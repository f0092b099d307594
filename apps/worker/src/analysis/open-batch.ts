export function minuteStart(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

/**
 * A streamer's batch in progress, kept as counts rather than a list: every emote is
 * counted (allowed or not, since settings may change before the batch closes); the
 * detector applies the allowed-emote filter when the batch closes.
 */
export class OpenBatch {
  size = 0;
  readonly counts = new Map<number, Map<string, number>>();

  /** Counts one emote; true when it is the first of its emote in its minute. */
  add(emote: string, timestampMs: number): boolean {
    const minute = minuteStart(timestampMs);
    let perEmote = this.counts.get(minute);
    if (!perEmote) {
      perEmote = new Map();
      this.counts.set(minute, perEmote);
    }
    const before = perEmote.get(emote) ?? 0;
    perEmote.set(emote, before + 1);
    this.size++;
    return before === 0;
  }

  clear(): void {
    this.size = 0;
    this.counts.clear();
  }
}
