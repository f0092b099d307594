import { ringSlot } from "../ring-slot.ts";
import type { ChatTotals } from "./chat-totals.ts";
import { earlierCounted, newestCounted, packCounted, packFirst } from "./viewer-seconds.ts";

/**
 * One emote of one streamer: a ring of 1 s buckets over the last few seconds, an
 * exponentially weighted baseline of its per-second rate built from the buckets that
 * have left the ring, and the viewers that sent it recently. Each bucket also counts
 * the records of viewers new to the stream's chat, and the records that were their
 * viewer's second of this emote within the longest window (viewers repeating it), each
 * with a baseline of its own (the fresh and repeat tests). Plain data, so the whole
 * detector state serialises to JSON; the functions here are its only writers.
 */

/** Seconds held in the ring: the longest test window plus the late allowance. */
export const RING_SECONDS = 10;
/** Test windows (seconds, ending now): short ones react fast, the long one sees slower surges. */
export const WINDOW_SCALES = [2, 3, 4, 6, 8] as const;
const LONGEST_WINDOW = 8;
/** Baseline time constant: tracks an audience doubling over half an hour within ~10 %. */
const BASELINE_TAU_S = 180;
const ALPHA = 1 - Math.exp(-1 / BASELINE_TAU_S);
/** Seconds of history an exponentially weighted mean is worth (its effective sample size). */
const BASELINE_SAMPLE_S = (2 - ALPHA) / ALPHA;
/** From this age (seconds after the streamer's first) on, `1 / (age + 1)` is not above ALPHA: the weight is ALPHA. */
const MEAN_WEIGHT_UNTIL_AGE = firstAgeAtAlpha();
/** A surge longer than this stops freezing the baseline: a lasting change of mix is learnt. */
export const MAX_FREEZE_S = 120;
/** Each viewer adds at most this much weight to the longest window, and at most 1 per second. */
const PER_VIEWER_WINDOW_CAP = 3;
/** Viewers remembered per emote; beyond it a new viewer counts as anonymous (weight 1). */
export const MAX_VIEWERS_PER_EMOTE = 256;
/**
 * Never expect an emote less than once a minute: a rate below that is not known from a
 * few minutes of history, and a first sighting must not look infinitely surprising.
 */
const RATE_FLOOR = 1 / 60;
/** Overdispersion (variance / mean of the per-second weight) is bounded to this. */
const MAX_DISPERSION = 3;
/** Seconds teach the baseline at most this many deviations above it (after the first few). */
const CLIP_SIGMAS = 4;
const WARMUP_UNCLIPPED_S = 10;
/** Zero-runs longer than this are folded in closed form. */
const CATCH_UP_LOOP_MAX = 1_000;

export interface EmoteTrack {
  /** The second each ring slot holds (-1: none); slot = second mod RING_SECONDS. */
  ringSec: number[];
  /** Viewer-capped weight per slot. */
  ringWeight: number[];
  /** Records without a viewer per slot (each counts as one distinct viewer). */
  ringAnon: number[];
  /** Records per slot of viewers new to the stream's chat (see `fresh` in push). */
  ringFresh: number[];
  /** Records per slot that were their viewer's second of this emote in the longest window. */
  ringRepeat: number[];
  /** Every second before this one is folded into the baseline. */
  consumedSec: number;
  /** Baseline mean and variance of the per-second weight. */
  rate: number;
  variance: number;
  /** Baseline of the fresh viewers' records per second. */
  freshRate: number;
  /** Baseline of the repeating viewers' records per second. */
  repeatRate: number;
  lastSeenSec: number;
  /** Viewer hash → the seconds in which it was counted, packed (viewer-seconds.ts). */
  viewers: Map<number, number>;
  /** Seconds frozenFromSec … frozenThroughSec do not teach the baseline (a surge's). */
  frozenFromSec: number;
  frozenThroughSec: number;
  /** The second of the last pruning of `viewers` (see forgetPastViewers). */
  prunedSec: number;
}

export function newEmoteTrack(nowSec: number, horizonSec: number, firstSec: number): EmoteTrack {
  return {
    ringSec: new Array<number>(RING_SECONDS).fill(-1),
    ringWeight: new Array<number>(RING_SECONDS).fill(0),
    ringAnon: new Array<number>(RING_SECONDS).fill(0),
    ringFresh: new Array<number>(RING_SECONDS).fill(0),
    ringRepeat: new Array<number>(RING_SECONDS).fill(0),
    // Seconds before the streamer's first are no history at all.
    consumedSec: Math.max(horizonSec, firstSec),
    rate: 0,
    variance: 0,
    freshRate: 0,
    repeatRate: 0,
    lastSeenSec: nowSec,
    viewers: new Map(),
    frozenFromSec: -1,
    frozenThroughSec: -2,
    prunedSec: -1,
  };
}

/** The slot of a second in the ring (the chat totals' ring is indexed alike). */
export function slotOf(sec: number): number {
  return ringSlot(sec, RING_SECONDS);
}

export function bucketWeight(track: EmoteTrack, sec: number): number {
  const slot = slotOf(sec);
  return track.ringSec[slot] === sec ? (track.ringWeight[slot] ?? 0) : 0;
}

/** A second's value clipped for learning: a spike nobody called a surge must not inflate the baseline. */
function clipped(value: number, rate: number, warm: boolean): number {
  // The clip lies above rate + 1, so a value up to that is returned as is without the
  // square root (the same number either way: most seconds are 0).
  if (!warm || value <= rate + 1) return value;
  return Math.min(value, rate + CLIP_SIGMAS * Math.sqrt(Math.max(rate, 1)) + 1);
}

/**
 * Folds every second before `horizonSec` into the baseline. During warm-up (`firstSec`
 * is the streamer's first second) the weight is a running mean, so the baseline is
 * usable after seconds rather than after one time constant. Returns the change of the
 * baseline rate (the streamer's sum of baselines follows it).
 */
export function catchUp(track: EmoteTrack, horizonSec: number, firstSec: number): number {
  const before = track.rate;
  let s = track.consumedSec;
  // Called for every record, mostly within a second already folded.
  if (s >= horizonSec) return 0;
  if (horizonSec - s > CATCH_UP_LOOP_MAX && s > track.lastSeenSec) {
    // Nothing but zeros ahead: decay in one step (warm-up is long over at this length).
    const k = horizonSec - CATCH_UP_LOOP_MAX - s;
    const keep = Math.pow(1 - ALPHA, k);
    track.rate *= keep;
    track.variance *= keep;
    track.freshRate *= keep;
    track.repeatRate *= keep;
    s += k;
  }
  // Every emote folds every second, so this loop is the detector's hottest: the baseline
  // is held in locals, the slot found once for both counts, and most seconds hold nothing
  // (see clipped). The arithmetic is the same, operation for operation.
  const { ringSec, ringWeight, ringFresh, ringRepeat, frozenFromSec, frozenThroughSec } = track;
  let { rate, variance, freshRate, repeatRate } = track;
  for (; s < horizonSec; s++) {
    if (s >= frozenFromSec && s <= frozenThroughSec && s < frozenFromSec + MAX_FREEZE_S) continue;
    const slot = slotOf(s);
    const held = ringSec[slot] === s;
    const age = s - firstSec;
    const alpha = age >= MEAN_WEIGHT_UNTIL_AGE ? ALPHA : Math.max(ALPHA, 1 / (age + 1));
    const warm = age >= WARMUP_UNCLIPPED_S;
    const diff = clipped(held ? (ringWeight[slot] ?? 0) : 0, rate, warm) - rate;
    rate += alpha * diff;
    variance = (1 - alpha) * (variance + alpha * diff * diff);
    freshRate += alpha * (clipped(held ? (ringFresh[slot] ?? 0) : 0, freshRate, warm) - freshRate);
    repeatRate += alpha * (clipped(held ? (ringRepeat[slot] ?? 0) : 0, repeatRate, warm) - repeatRate);
  }
  track.rate = rate;
  track.variance = variance;
  track.freshRate = freshRate;
  track.repeatRate = repeatRate;
  track.consumedSec = Math.max(track.consumedSec, horizonSec);
  return track.rate - before;
}

/** What `viewerWeight` found: the record is not counted, counted, or counted as its viewer's second. */
export const NOT_COUNTED = 0;
export const COUNTED = 1;
export const COUNTED_REPEAT = 2;
export type Counted = typeof NOT_COUNTED | typeof COUNTED | typeof COUNTED_REPEAT;

/**
 * Whether a record counts: 1 per viewer per second, and at most PER_VIEWER_WINDOW_CAP
 * within any window of the longest scale, so one viewer spamming adds no more than a
 * few ordinary viewers do. A counted record that is its viewer's second within that
 * window is COUNTED_REPEAT: a viewer repeating an emote is what a reaction looks like,
 * and one viewer makes at most one such record per window, so a spammer is one repeater.
 * `viewer` undefined: an anonymous record, counted (never a repeat).
 */
export function viewerWeight(track: EmoteTrack, viewer: number | undefined, sec: number): Counted {
  if (viewer === undefined) return COUNTED;
  const packed = track.viewers.get(viewer);
  if (packed === undefined) {
    // One pruning pass per second at most: a full map of recent viewers stays full.
    if (track.viewers.size >= MAX_VIEWERS_PER_EMOTE && sec > track.prunedSec) pruneViewers(track, sec);
    if (track.viewers.size < MAX_VIEWERS_PER_EMOTE) track.viewers.set(viewer, packFirst(sec));
    return COUNTED;
  }
  // The viewer's counted seconds, newest first (-Infinity: none).
  let first = newestCounted(packed);
  let second = earlierCounted(packed, 1);
  let third = earlierCounted(packed, 2);
  if (sec === first || sec === second || sec === third) return NOT_COUNTED;
  const near =
    (Math.abs(first - sec) < LONGEST_WINDOW ? 1 : 0) +
    (Math.abs(second - sec) < LONGEST_WINDOW ? 1 : 0) +
    (Math.abs(third - sec) < LONGEST_WINDOW ? 1 : 0);
  if (near >= PER_VIEWER_WINDOW_CAP) return NOT_COUNTED;
  // The latest PER_VIEWER_WINDOW_CAP of the four seconds are kept (sec itself may be the oldest).
  if (sec > first) {
    third = second;
    second = first;
    first = sec;
  } else if (sec > second) {
    third = second;
    second = sec;
  } else if (sec > third) third = sec;
  track.viewers.set(viewer, packCounted(first, second, third));
  return near === 1 ? COUNTED_REPEAT : COUNTED;
}

/**
 * Forgets the viewers that can no longer count against a cap: every record from now on
 * goes to a second at most the late allowance (RING_SECONDS − LONGEST_WINDOW) before
 * `nowSec`, the streamer's newest, so a viewer last counted RING_SECONDS or more before it
 * is in none of their windows, and no record's weight changes. Viewers counted from
 * `keepFromSec` on stay (a surge's distinct viewers are counted at its end). Without it
 * the map keeps every viewer of the last minutes until it is full, and every commit of
 * the state carries them.
 */
export function forgetPastViewers(track: EmoteTrack, nowSec: number, keepFromSec: number): void {
  dropViewers(track, nowSec, Math.min(nowSec - RING_SECONDS, keepFromSec - 1));
}

/** A full map's pruning: the viewers not counted within the longest window ending at `sec`. */
function pruneViewers(track: EmoteTrack, sec: number): void {
  dropViewers(track, sec, sec - LONGEST_WINDOW);
}

/** Drops the viewers last counted at or before second `before`; `atSec` is the pruning's second. */
function dropViewers(track: EmoteTrack, atSec: number, before: number): void {
  track.prunedSec = atSec;
  const { viewers } = track;
  // forEach, not for…of: no [key, value] pair per entry (this runs for every emote every few seconds).
  viewers.forEach((packed, viewer) => {
    if (newestCounted(packed) <= before) viewers.delete(viewer);
  });
}

/**
 * `fresh`: the record's viewer is new to the stream's chat (never true for an anonymous
 * one); `repeat`: it is its viewer's second of this emote in the longest window.
 */
export function addToBucket(
  track: EmoteTrack,
  sec: number,
  weight: number,
  anonymous: boolean,
  fresh: boolean,
  repeat = false,
): number {
  const slot = slotOf(sec);
  if (track.ringSec[slot] !== sec) {
    track.ringSec[slot] = sec;
    track.ringWeight[slot] = 0;
    track.ringAnon[slot] = 0;
    track.ringFresh[slot] = 0;
    track.ringRepeat[slot] = 0;
  }
  const w = (track.ringWeight[slot] ?? 0) + weight;
  track.ringWeight[slot] = w;
  if (anonymous) track.ringAnon[slot] = (track.ringAnon[slot] ?? 0) + 1;
  if (fresh) track.ringFresh[slot] = (track.ringFresh[slot] ?? 0) + 1;
  if (repeat) track.ringRepeat[slot] = (track.ringRepeat[slot] ?? 0) + 1;
  if (sec > track.lastSeenSec) track.lastSeenSec = sec;
  return w;
}

/**
 * Poisson signed-root deviance of `observed` against `expected`, divided by the
 * overdispersion: about a z-score, but honest for small counts (3 emotes against 0.5
 * expected is not 3.5 sigma). 0 when nothing is above expectation.
 */
export function surgeScore(observed: number, expected: number, dispersion: number): number {
  if (observed <= expected) return 0;
  const deviance = 2 * (observed * Math.log(observed / expected) - (observed - expected));
  // Rounding can leave a hair below zero when observed is a hair above expected.
  return Math.sqrt(Math.max(0, deviance) / dispersion);
}

/**
 * Binomial signed-root deviance of `observed` records of an emote among `total` records of
 * the whole chat, against its expected `share`, divided by the overdispersion. It compares
 * the emote with the rest of the chat rather than with a rate, so a change of the whole
 * audience's activity (drift, a lull) cancels out, and a change of mix at constant rate
 * counts twice: this emote up, the others down. 0 when nothing is above expectation.
 */
export function shareScore(observed: number, total: number, share: number, dispersion: number): number {
  const expected = total * share;
  if (observed <= expected || share <= 0 || share >= 1) return 0;
  const rest = total - observed;
  const deviance =
    2 *
    (observed * Math.log(observed / expected) + (rest > 0 ? rest * Math.log(rest / (total - expected)) : 0));
  return Math.sqrt(Math.max(0, deviance) / dispersion);
}

export function dispersionOf(track: EmoteTrack): number {
  if (track.rate <= 0) return 1;
  return Math.min(MAX_DISPERSION, Math.max(1, track.variance / track.rate));
}

/** Is this second's weight well above the baseline (part of a surge)? */
export function isHot(track: EmoteTrack, weight: number): boolean {
  return weight >= track.rate + 2 * Math.sqrt(track.rate * dispersionOf(track)) + 1;
}

/**
 * The highest score over the test windows ending at `nowMs`, of four tests: the
 * viewer-capped weight against its baseline (count test); the same weight as a share of the
 * whole chat's weight (`totals`) against the emote's baseline share (share test, same bar);
 * the records of fresh viewers against their baseline (fresh test, no dispersion); and the
 * records of viewers repeating the emote against their baseline (repeat test, no
 * dispersion: each viewer adds at most one per window). All four answer to one bar. The current
 * second counts for the part of it that has passed, as far as the timestamps' resolution
 * (`stepMs`, see `StreamerState`) can say. Seconds before `sinceSec` are no
 * evidence (a cooldown's tail must not start a new surge the moment the cooldown ends).
 *
 * A baseline is itself an estimate, from the seconds since the streamer's first
 * (`firstSec`) or about two time constants, whichever is fewer: the expected count of a
 * window of w seconds learnt from n seconds varies by a factor w / n of the count's own
 * variance, so every deviance is divided by (1 + w / n) as well as by the dispersion. It
 * matters when the history is short (just after warm-up, w / n up to a quarter) and
 * hardly later (w / n ≤ 0.02).
 *
 * Only scores of at least `atLeast` matter to the caller: a window that cannot reach it is
 * not scored (the result is then some value below `atLeast`). The chi-square bounds
 * `(o − e)² / e` (Poisson) and `2·(o − e)² / (e·(1 − p))` (binomial) are never below the
 * deviance, so they rule such windows out without a logarithm; the decisions and every
 * score at or above `atLeast` are unchanged.
 */
export function windowScore(
  track: EmoteTrack,
  totals: ChatTotals,
  nowMs: number,
  stepMs: number,
  firstSec: number,
  atLeast: number,
  sinceSec = -Infinity,
): number {
  const nowSec = Math.floor(nowMs / 1000);
  // A timestamp t stamped in steps of `stepMs` was sent in [t, t + step): the later end is
  // the one that never overstates a second's rate. Whole seconds (step 0) count whole.
  const elapsed = Math.min(1, (nowMs - nowSec * 1000 + (stepMs === 0 ? 1000 : stepMs)) / 1000);
  const dispersion = dispersionOf(track);
  const rate = Math.max(track.rate, RATE_FLOOR);
  const freshRate = Math.max(track.freshRate, RATE_FLOOR);
  const repeatRate = Math.max(track.repeatRate, RATE_FLOOR);
  const history = Math.max(1, Math.min(track.consumedSec - firstSec, BASELINE_SAMPLE_S));
  const atLeastSq = atLeast * atLeast;
  const share = Math.min(1, rate / Math.max(totals.baselineSum, rate));
  let observed = 0;
  let total = 0;
  let fresh = 0;
  let repeat = 0;
  let best = 0;
  let k = 0;
  for (const scale of WINDOW_SCALES) {
    const span = Math.min(scale, nowSec - sinceSec + 1);
    const observedBefore = observed;
    const freshBefore = fresh;
    const repeatBefore = repeat;
    for (; k < span; k++) {
      const slot = slotOf(nowSec - k);
      if (track.ringSec[slot] !== nowSec - k) continue;
      observed += track.ringWeight[slot] ?? 0;
      fresh += track.ringFresh[slot] ?? 0;
      repeat += track.ringRepeat[slot] ?? 0;
      // The emote's records are in the totals, so the totals hold this second too.
      if (totals.sec[slot] === nowSec - k) total += totals.weight[slot] ?? 0;
    }
    const seconds = span - 1 + elapsed;
    const uncertainty = 1 + seconds / history;
    const spread = dispersion * uncertainty;
    // A test whose count this window did not raise scores no higher than in the shorter
    // window (the same count against more expected, more spread), so it is skipped: the
    // result is the same number. Most windows of a quiet emote add nothing.
    if (observed > observedBefore) {
      const expected = rate * seconds;
      const excess = observed - expected;
      if (excess > 0 && excess * excess >= atLeastSq * spread * expected) {
        best = Math.max(best, surgeScore(observed, expected, spread));
      }
      const shareExcess = observed - total * share;
      if (
        shareExcess > 0 &&
        2 * shareExcess * shareExcess >= atLeastSq * spread * (1 - share) * total * share
      ) {
        best = Math.max(best, shareScore(observed, total, share, spread));
      }
    }
    if (fresh > freshBefore) {
      const freshExpected = freshRate * seconds;
      const freshExcess = fresh - freshExpected;
      if (freshExcess > 0 && freshExcess * freshExcess >= atLeastSq * uncertainty * freshExpected) {
        best = Math.max(best, surgeScore(fresh, freshExpected, uncertainty));
      }
    }
    if (repeat > repeatBefore) {
      const repeatExpected = repeatRate * seconds;
      const repeatExcess = repeat - repeatExpected;
      if (repeatExcess > 0 && repeatExcess * repeatExcess >= atLeastSq * uncertainty * repeatExpected) {
        best = Math.max(best, surgeScore(repeat, repeatExpected, uncertainty));
      }
    }
    if (span < scale) break;
  }
  return best;
}

/** Distinct viewers in the longest window ending at `nowSec` (anonymous records one each). */
export function distinctViewers(
  track: EmoteTrack,
  nowSec: number,
  sinceSec = nowSec - LONGEST_WINDOW + 1,
): number {
  let n = 0;
  for (const packed of track.viewers.values()) {
    if (newestCounted(packed) >= sinceSec) n++;
  }
  for (let s = Math.max(sinceSec, nowSec - RING_SECONDS + 1); s <= nowSec; s++) {
    const slot = slotOf(s);
    if (track.ringSec[slot] === s) n += track.ringAnon[slot] ?? 0;
  }
  return n;
}

/** The first age whose running-mean weight, computed as catchUp computes it, is not above ALPHA. */
function firstAgeAtAlpha(): number {
  let age = 0;
  while (1 / (age + 1) > ALPHA) age++;
  return age;
}
