/**
 * An independent generator, to check that the surge detector generalises: a port of a
 * Python generator a teammate wrote from the product brief alone, never seeing the
 * detector or the rest of this eval (same distributions; not bit-equal to numpy).
 *
 * Each streamer: a 30-60 min stream of 6-9 of nine emotes (one popular: 25-45 % of chat
 * per minute, the rest Dirichlet(1.5) weights); 2-10 emotes/s (quiet: 0.5-1/s) from an
 * audience of viewers with lognormal(0, 1) chattiness, one message per 30-80 s each;
 * rate and audience follow a log-AR(1) minute fluctuation (±~15 %) and, for drift streams,
 * double or halve over 25-35 min. Surges every 1-5 min, 6-45 s long, shaped as a step
 * (45 %), a spike decaying from twice the step (40 %) or a ramp over 60 % of the surge
 * (15 %): added chat at 0.5-1.5× the total rate (drift, spam), 30-70 % of chat switching
 * to the emote (mix shift), or 4-10 viewers sending 2-5 each (quiet). Spam streams add
 * one-viewer episodes (2-6/s for 10-60 s, every 1.5-5 min); every stream has one-viewer
 * mini-spam (3-8 messages at ~1/s, every ~3 min); neither overlaps a surge. A label's onset
 * is its first record's event time, its end the surge's last whole second.
 */
import type { LabelledSurge, TimedRecord } from "./chat-model.ts";
import { pickIndex, seededRandom, type Random } from "./random.ts";
import type { Corpus } from "./scenarios.ts";

const EMOTES = ["🔥", "😂", "💀", "👀", "🎉", "😭", "👏", "🐐", "🤡"];
const T0_MS = Date.parse("2025-01-15T10:00:00Z");

type Kind = "drift" | "mixshift" | "quiet" | "spam";
type Shape = "step" | "spike" | "ramp";

const SCENARIOS: readonly { name: string; kinds: readonly Kind[]; streamers: number; staggerS: number }[] = [
  { name: "drift (independent)", kinds: ["drift"], streamers: 8, staggerS: 0 },
  { name: "mix shift (independent)", kinds: ["mixshift"], streamers: 8, staggerS: 0 },
  { name: "quiet (independent)", kinds: ["quiet"], streamers: 10, staggerS: 0 },
  { name: "spam (independent)", kinds: ["spam"], streamers: 8, staggerS: 0 },
  {
    name: "interleaved (independent)",
    kinds: ["drift", "mixshift", "quiet", "spam"],
    streamers: 36,
    staggerS: 600,
  },
];

interface Surge {
  startS: number;
  lengthS: number;
  shape: Shape;
  emote: string;
  /** Mix shift: share of chat switching; quiet: distinct viewers; else: added rate as a multiple. */
  strength: number;
  firstS: number;
}

interface Episode {
  startS: number;
  lengthS: number;
  rate: number;
  emote: string;
  viewer: number;
}

interface Sample {
  t: number;
  emote: string;
  viewer: number;
}

/** Every scenario for one seed; streamers interleaved in time order. */
export function independentCorpora(seed: number): Corpus[] {
  return SCENARIOS.map((scenario, index) => {
    const random = seededRandom(seed * 7919 + index * 104_729);
    const records: TimedRecord[] = [];
    const labels: LabelledSurge[] = [];
    const used = new Set<string>();
    let seconds = 0;
    for (let i = 0; i < scenario.streamers; i++) {
      const kind = scenario.kinds[i % scenario.kinds.length] ?? "drift";
      const id = `i${index + 1}-${kind}-${String(i + 1).padStart(2, "0")}`;
      const startMs = T0_MS + Math.floor(random.between(0, scenario.staggerS) * 1000);
      const one = stream(id, kind, startMs, random);
      for (const r of one.records) records.push(r);
      for (const l of one.labels) labels.push(l);
      for (const e of one.emotes) used.add(e);
      seconds += one.durationS;
    }
    records.sort((a, b) => a.arrivalMs - b.arrivalMs);
    const emotes = EMOTES.filter((e) => used.has(e));
    return { scenario: scenario.name, records, labels, streamerHours: seconds / 3_600, emotes };
  });
}

function stream(streamerId: string, kind: Kind, startMs: number, random: Random) {
  const durationS = Math.floor(random.between(30 * 60, 60 * 60));
  const emotes = sample(EMOTES, random.int(6, 9), random);
  const popular = emotes[0] ?? "";
  const others = emotes.slice(1);
  const otherWeights = dirichlet(others.length, 1.5, random);
  const quiet = kind === "quiet";
  const rate0 = quiet ? random.between(0.5, 1) : Math.exp(random.between(Math.log(2), Math.log(10)));
  const audience0 = quiet ? random.int(15, 49) : Math.floor(rate0 * random.between(30, 80));
  const driftTo = kind === "drift" ? (random.next() < 0.5 ? 2 : 0.5) : 1;
  const driftStart = kind === "drift" ? random.between(0, 300) : 0;
  const driftLength = kind === "drift" ? random.between(25 * 60, 35 * 60) : 1;
  const pool = Math.floor(audience0 * Math.max(1, driftTo) * 1.4) + 5;
  const cumulative: number[] = [];
  for (let v = 0, sum = 0; v < pool; v++) cumulative.push((sum += Math.exp(normal(random))));
  const minutes = Math.floor(durationS / 60) + 2;
  const fluctuation = [1];
  for (let m = 0, f = 0; m < minutes; m++) fluctuation.push(Math.exp((f = 0.8 * f + 0.07 * normal(random))));
  const popularShare = Array.from({ length: minutes }, () => random.between(0.25, 0.45));

  const level = (t: number): number => {
    const m = Math.floor(t / 60);
    const a = at(fluctuation, m);
    const x = Math.min(1, Math.max(0, (t - driftStart) / driftLength));
    return (driftTo === 1 ? 1 : Math.pow(driftTo, x)) * (a + (at(fluctuation, m + 1) - a) * ((t % 60) / 60));
  };
  const audience = (t: number): number => Math.max(3, Math.min(pool, Math.round(audience0 * level(t))));
  /** A viewer among the first `a`, by chattiness. */
  const pickViewer = (a: number): number =>
    Math.min(a - 1, lowerBound(cumulative, random.between(0, at(cumulative, a - 1))));
  const baseEmote = (t: number): string =>
    random.next() < at(popularShare, Math.floor(t / 60))
      ? popular
      : (others[pickIndex(otherWeights, random.next())] ?? popular);

  const surges: Surge[] = [];
  for (let t = random.between(30, 120); ; t += random.between(60, 300)) {
    const lengthS = random.between(6, 45);
    if (t + lengthS > durationS - 5) break;
    const u = random.next();
    const shape: Shape = u < 0.45 ? "step" : u < 0.85 ? "spike" : "ramp";
    surges.push({ startS: t, lengthS, shape, emote: random.pick(emotes), strength: 0, firstS: Infinity });
  }
  for (const s of surges) {
    if (kind === "mixshift") s.strength = random.between(0.3, 0.7);
    else if (quiet) s.strength = random.int(4, 10);
    else s.strength = random.between(0.5, 1.5);
  }
  const busy = (a: number, b: number): boolean =>
    surges.some((s) => a < s.startS + s.lengthS + 20 && b > s.startS - 10);
  /** Strong: spam episodes (2-6/s for 10-60 s); weak: 3-8 messages at ~1/s. */
  const scheduleSpam = (strong: boolean): Episode[] => {
    const out: Episode[] = [];
    for (let t = random.between(20, 200); t < durationS - 70;) {
      let lengthS: number;
      let rate: number;
      if (strong) {
        lengthS = random.between(10, 60);
        rate = random.between(2, 6);
      } else {
        const n = random.int(3, 8);
        rate = random.between(0.6, 1.5);
        lengthS = n / rate;
      }
      if (!busy(t, t + lengthS))
        out.push({ startS: t, lengthS, rate, emote: random.pick(emotes), viewer: pickViewer(audience(t)) });
      t += lengthS + (strong ? random.between(90, 300) : exponential(180, random));
    }
    return out;
  };
  const spam = kind === "spam" ? scheduleSpam(true) : [];
  const miniSpam = scheduleSpam(false);

  const samples: Sample[] = [];
  const surgeSample = (s: Surge, t: number, viewer: number): void => {
    samples.push({ t, emote: s.emote, viewer });
    s.firstS = Math.min(s.firstS, t);
  };
  for (let sec = 0; sec < durationS; sec++) {
    const tm = sec + 0.5;
    const rate = rate0 * level(tm);
    const a = audience(tm);
    const active = surges.filter((s) => s.startS - 1 <= sec && sec < s.startS + s.lengthS);
    const mix = kind === "mixshift" ? active[0] : undefined;
    for (let n = random.poisson(rate); n > 0; n--) {
      const t = sec + random.next();
      const viewer = pickViewer(a);
      const share = mix
        ? Math.min(0.9, mix.strength * shapeValue(mix, t) * (mix.shape === "spike" ? 0.75 : 1))
        : 0;
      if (mix && random.next() < share) surgeSample(mix, t, viewer);
      else samples.push({ t, emote: baseEmote(t), viewer });
    }
    if (kind !== "drift" && kind !== "spam") continue;
    for (const s of active) {
      for (let n = random.poisson(Math.max(1, s.strength * rate) * shapeValue(s, tm)); n > 0; n--) {
        const t = sec + random.next();
        if (shapeValue(s, t) > 0) surgeSample(s, t, random.int(0, a - 1));
      }
    }
  }
  if (quiet) {
    for (const s of surges) {
      const a = audience(s.startS);
      for (const viewer of sample(range(a), Math.min(s.strength, a), random)) {
        for (let n = random.int(2, 5); n > 0; n--) surgeSample(s, s.startS + quietOffset(s, random), viewer);
      }
    }
  }
  for (const e of spam) {
    for (let t = e.startS; t < e.startS + e.lengthS; t += exponential(1 / e.rate, random))
      samples.push({ t, emote: e.emote, viewer: e.viewer });
  }
  for (const e of miniSpam) {
    for (let t = e.startS; t < e.startS + e.lengthS; t += random.between(0.4, 1.6))
      samples.push({ t, emote: e.emote, viewer: e.viewer });
  }

  samples.sort((x, y) => x.t - y.t);
  const msOf = (t: number): number => startMs + Math.floor(t * 1000);
  const records: TimedRecord[] = samples.map(({ t, emote, viewer }) => ({
    streamerId,
    emote,
    timestampMs: msOf(t),
    viewer: `v${viewer}`,
    arrivalMs: msOf(t),
  }));
  // A surge that drew no record is none; its end is the last whole second of the surge.
  const labels: LabelledSurge[] = surges
    .filter((s) => Number.isFinite(s.firstS))
    .map((s) => ({
      streamerId,
      emote: s.emote,
      onsetMs: msOf(s.firstS),
      endMs: Math.floor(msOf(Math.floor(s.startS + s.lengthS)) / 1000) * 1000,
    }));
  return { records, labels, durationS, emotes };
}

/** Relative surge intensity at `t` (1 for a step; a spike starts at 2). */
function shapeValue(s: Surge, t: number): number {
  const u = t - s.startS;
  if (u < 0 || u >= s.lengthS) return 0;
  if (s.shape === "step") return 1;
  if (s.shape === "spike") return 2 * Math.exp(-u / (s.lengthS / 3));
  return Math.min(1, u / (0.6 * s.lengthS));
}

/** A quiet surge's message time into the surge, with the shape's density. */
function quietOffset(s: Surge, random: Random): number {
  if (s.shape === "step") return random.between(0, s.lengthS);
  if (s.shape === "ramp") return s.lengthS * Math.sqrt(random.next());
  for (;;) {
    const u = exponential(s.lengthS / 3, random);
    if (u < s.lengthS) return u;
  }
}

function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new Error(`index ${i} out of range`);
  return v;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** `count` different items, in random order. */
function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const out = [...items];
  for (let i = 0; i < count; i++) {
    const j = random.int(i, out.length - 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out.slice(0, count);
}

/** First index whose value is at least `x` (`values` ascending). */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(values, mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Standard normal (Box–Muller). */
function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

function exponential(mean: number, random: Random): number {
  return -mean * Math.log(1 - random.next());
}

/** Gamma(shape ≥ 1, scale 1), Marsaglia–Tsang. */
function gamma(shape: number, random: Random): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(random);
    const v = Math.pow(1 + c * z, 3);
    if (v > 0 && Math.log(1 - random.next()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

function dirichlet(n: number, alpha: number, random: Random): number[] {
  const draws = Array.from({ length: n }, () => gamma(alpha, random));
  const sum = draws.reduce((a, b) => a + b, 0);
  return draws.map((g) => g / sum);
}
