import type { DetectorRecord } from "../../detectors/detector-types.ts";
import { pickIndex, type Random } from "./random.ts";

/** An injected reaction surge: what a person would call a highlight. */
export interface LabelledSurge {
  streamerId: string;
  emote: string;
  onsetMs: number;
  endMs: number;
}

export type Range = readonly [number, number];

/** How one streamer's chat is drawn; every range is sampled per streamer. */
export interface ChatParams {
  emotes: readonly string[];
  durationS: number;
  /** Total emotes per second at the start. */
  rate: Range;
  /** Share of the popular emote. */
  popularShare: Range;
  /** The audience's size changes by this factor (either way) over `driftOverS`. */
  driftFactor: number;
  driftOverS: number;
  /** `additive`: the surge emote's rate jumps; `mix`: chat switches to it at constant total rate. */
  surgeKind: "additive" | "mix";
  /** Seconds between surges (end to onset) and their length. */
  surgeGapS: Range;
  surgeLengthS: Range;
  /** Additive: the added rate is this multiple of the emote's rate (at least `surgeMinAdd`/s). */
  surgeMultiple: Range;
  surgeMinAdd: number;
  /** Additive: viewers taking part (each a share of the added rate). */
  surgeViewers: Range;
  /** Mix: the share of chat that switches to the surge emote. */
  mixShare: Range;
  /** Single-viewer spam: seconds between episodes (null: none), length, emotes/s. */
  spamGapS: Range | null;
  spamLengthS: Range;
  spamRate: Range;
  /** Viewers in the audience per emote/s of chat. */
  viewersPerRate: number;
  /** Share of records stamped up to `lateMs` earlier than their place in the stream. */
  lateShare: number;
  lateMs: number;
}

export interface TimedRecord extends DetectorRecord {
  /** Arrival order key (the record's place in the partition). */
  arrivalMs: number;
}

/** One streamer's chat and its labels; records in arrival order. */
export function streamerChat(
  streamerId: string,
  startMs: number,
  params: ChatParams,
  random: Random,
): { records: TimedRecord[]; labels: LabelledSurge[] } {
  const emotes = shuffled(params.emotes, random);
  const popularShare = random.between(...params.popularShare);
  const weights = emotes.map((_, i) => (i === 0 ? 0 : random.between(0.2, 1)));
  const rest = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w, i) => (i === 0 ? popularShare : ((1 - popularShare) * w) / rest));
  const rate0 = random.between(...params.rate);
  const direction = random.next() < 0.5 ? 1 : -1;
  const phase = random.between(0, 2 * Math.PI);
  const rateAt = (s: number): number =>
    rate0 *
    Math.pow(params.driftFactor, (direction * s) / params.driftOverS) *
    (1 + 0.1 * Math.sin(phase + (2 * Math.PI * s) / 600));
  const audience = Math.max(20, Math.round(rate0 * params.viewersPerRate));
  const surges = schedule(params.surgeGapS, params.surgeLengthS, params.durationS, random).map(
    ([fromS, toS]) => {
      const emoteIndex = random.int(0, emotes.length - 1);
      const emoteRate = rateAt(fromS) * (shares[emoteIndex] ?? 0);
      const rate = Math.max(params.surgeMinAdd, emoteRate * random.between(...params.surgeMultiple));
      const count = Math.max(
        Math.round(random.between(...params.surgeViewers)),
        params.surgeKind === "additive" ? Math.round(rate * 1.5) : 0,
      );
      const viewers = distinctInts(count, audience * 2, random);
      return {
        emote: emotes[emoteIndex] ?? "",
        fromS,
        toS,
        rate,
        viewers,
        share: random.between(...params.mixShare),
        firstMs: Infinity,
      };
    },
  );
  const spam = params.spamGapS
    ? schedule(params.spamGapS, params.spamLengthS, params.durationS, random).map(([fromS, toS]) => ({
        emote: random.pick(emotes),
        fromS,
        toS,
        rate: random.between(...params.spamRate),
        viewers: [random.int(0, audience)],
        share: 0,
        firstMs: Infinity,
      }))
    : [];
  const records: TimedRecord[] = [];
  const emit = (s: number, emote: string, viewer: number): number => {
    const arrivalMs = startMs + s * 1000 + Math.floor(random.next() * 1000);
    const late = random.next() < params.lateShare ? Math.floor(random.next() * params.lateMs) : 0;
    records.push({ streamerId, emote, timestampMs: arrivalMs - late, viewer: `v${viewer}`, arrivalMs });
    return arrivalMs - late;
  };
  for (let s = 0; s < params.durationS; s++) {
    const surge = surges.find((e) => s >= e.fromS && s < e.toS);
    const mixShare = surge && params.surgeKind === "mix" ? surge.share * (s === surge.fromS ? 0.5 : 1) : 0;
    for (let n = random.poisson(rateAt(s)); n > 0; n--) {
      // Active viewers send more: the audience's activity is skewed.
      const viewer = Math.floor(audience * Math.pow(random.next(), 2));
      if (surge && random.next() < mixShare)
        surge.firstMs = Math.min(surge.firstMs, emit(s, surge.emote, viewer));
      else emit(s, emotes[pickIndex(shares, random.next())] ?? "", viewer);
    }
    for (const e of [...(surge && params.surgeKind === "additive" ? [surge] : []), ...spam]) {
      if (s < e.fromS || s >= e.toS) continue;
      const ramp = s === e.fromS ? 0.5 : 1;
      for (let n = random.poisson(e.rate * ramp); n > 0; n--)
        e.firstMs = Math.min(e.firstMs, emit(s, e.emote, random.pick(e.viewers)));
    }
  }
  records.sort((a, b) => a.arrivalMs - b.arrivalMs);
  // A surge that drew no record is none; the onset is its first record's event time
  // (before it nothing has visibly changed), not the second it was scheduled from.
  const labels = surges
    .filter((e) => Number.isFinite(e.firstMs))
    .map((e) => ({ streamerId, emote: e.emote, onsetMs: e.firstMs, endMs: startMs + e.toS * 1000 }));
  return { records, labels };
}

function schedule(gap: Range, length: Range, durationS: number, random: Random): [number, number][] {
  const out: [number, number][] = [];
  // The first minute is left alone: a detector needs some history.
  let s = 60 + random.between(...gap) / 2;
  for (;;) {
    const from = Math.round(s);
    const to = from + Math.round(random.between(...length));
    if (to > durationS - 15) return out;
    out.push([from, to]);
    s = to + random.between(...gap);
  }
}

/** `count` different integers in 0…max (fewer when there are not that many). */
function distinctInts(count: number, max: number, random: Random): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, max + 1)) picked.add(random.int(0, max));
  return [...picked];
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}
