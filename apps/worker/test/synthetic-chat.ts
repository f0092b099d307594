import type { DetectorRecord } from "../src/detectors/detector-types.ts";
import { seededRandom } from "../src/cli/eval/random.ts";

export const T0 = Date.parse("2026-03-01T20:00:00Z");

export interface ChatSource {
  /** Emotes per second of this source at second `s` (from the start). */
  rate: (s: number) => number;
  /** The emote of each record (may draw from `u`, uniform in [0, 1)). */
  emote: (s: number, u: number) => string;
  /** The viewer of each record; undefined: records without a viewer. */
  viewer: (u: number) => string | undefined;
}

/** Poisson chat from several sources over `seconds`, in time order. Deterministic for a seed. */
export function syntheticChat(
  seconds: number,
  sources: ChatSource[],
  seed = 1,
  streamerId = "s1",
): DetectorRecord[] {
  const random = seededRandom(seed);
  const out: DetectorRecord[] = [];
  for (let s = 0; s < seconds; s++) {
    for (const source of sources) {
      for (let n = random.poisson(source.rate(s)); n > 0; n--) {
        const viewer = source.viewer(random.next());
        const record: DetectorRecord = {
          streamerId,
          emote: source.emote(s, random.next()),
          timestampMs: T0 + s * 1000 + Math.floor(random.next() * 1000),
        };
        if (viewer !== undefined) record.viewer = viewer;
        out.push(record);
      }
    }
  }
  return out.sort((a, b) => a.timestampMs - b.timestampMs);
}

/** A mix of emotes by share (shares sum to 1). */
export function mix(shares: Record<string, number>): (s: number, u: number) => string {
  const entries = Object.entries(shares);
  return (_s, u) => {
    let acc = 0;
    for (const [emote, share] of entries) {
      acc += share;
      if (u < acc) return emote;
    }
    return entries[entries.length - 1]?.[0] ?? "";
  };
}

/** An audience of `size` viewers. */
export function audience(size: number, prefix = "v"): (u: number) => string {
  return (u) => `${prefix}${Math.floor(u * size)}`;
}

/** A source active only between `from` and `to` seconds. */
export function during(from: number, to: number, rate: number): (s: number) => number {
  return (s) => (s >= from && s < to ? rate : 0);
}

/** Chat where one emote (😂) holds 40 % of the minute, the rest spread over six. */
export const POPULAR_MIX = mix({
  "😂": 0.4,
  "😀": 0.15,
  "😮": 0.1,
  "❤️": 0.1,
  "👍": 0.1,
  "🔥": 0.1,
  "😢": 0.05,
});
