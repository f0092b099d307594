import type { MinuteDelta, TrendingPartial } from "@emote/contracts";

/**
 * Most counted entries (emote counts, buckets, surges) in one partial record: ~100 KB of
 * JSON, far below a topic's 1 MB limit, whatever a batch held.
 */
export const MAX_PARTIAL_ENTRIES = 2_000;
/** A viewer sketch counts as one entry per this many characters (a dense one: 82 entries). */
const SKETCH_CHARS_PER_ENTRY = 50;

/**
 * What one input batch changed, as partial records numbered `seq`, `seq + 1`, …: one
 * record unless it holds more than `maxEntries` entries; none if nothing changed.
 */
export function splitPartial(whole: TrendingPartial, maxEntries = MAX_PARTIAL_ENTRIES): TrendingPartial[] {
  const parts: Omit<TrendingPartial, "seq">[] = [];
  let current: Omit<TrendingPartial, "seq"> | undefined;
  let entries = 0;
  const room = () => {
    if (!current || entries >= maxEntries) {
      current = { source: whole.source, at: whole.at, minutes: [], intensity: [], surges: [], viewers: [] };
      parts.push(current);
      entries = 0;
    }
    return current;
  };
  for (const m of whole.minutes) {
    let chunk: MinuteDelta | undefined;
    const emotes = Object.keys(m.counts);
    if (emotes.length === 0) {
      room().minutes.push({ minute: m.minute, counts: {}, total: m.total });
      entries++;
      continue;
    }
    emotes.forEach((emote, i) => {
      const part = room();
      if (!chunk || part.minutes.at(-1) !== chunk) {
        // The minute's total travels with its first chunk only, so totals add up once.
        chunk = { minute: m.minute, counts: {}, total: i === 0 ? m.total : 0 };
        part.minutes.push(chunk);
      }
      chunk.counts[emote] = m.counts[emote] ?? 0;
      entries++;
    });
  }
  for (const b of whole.intensity) {
    room().intensity.push(b);
    entries++;
  }
  for (const s of whole.surges) {
    room().surges.push(s);
    entries++;
  }
  for (const v of whole.viewers ?? []) {
    room().viewers?.push(v);
    entries += Math.ceil(v.sketch.length / SKETCH_CHARS_PER_ENTRY);
  }
  // Partials without viewers stay in the shape older merges read.
  return parts.map(({ viewers, ...p }, i) => ({
    ...p,
    ...(viewers?.length ? { viewers } : {}),
    seq: whole.seq + i,
  }));
}
