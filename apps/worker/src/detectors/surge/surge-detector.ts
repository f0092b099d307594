import { shortId } from "../../short-id.ts";
import { viewerHash } from "../../viewer-header.ts";
import type { DetectorRecord, SurgeMoment } from "../detector-types.ts";
import { addToTotals, newChatTotals, type ChatTotals } from "./chat-totals.ts";
import {
  addToBucket,
  bucketWeight,
  catchUp,
  COUNTED_REPEAT,
  distinctViewers,
  forgetPastViewers,
  isHot,
  newEmoteTrack,
  NOT_COUNTED,
  RING_SECONDS,
  viewerWeight,
  windowScore,
  type EmoteTrack,
} from "./emote-track.ts";
import {
  DEFAULT_SURGE_SETTINGS,
  onsetBar,
  surgeThresholds,
  type SurgeSettings,
  type SurgeThresholds,
} from "./settings.ts";

/** Records up to this much older than the newest one seen go to their own second. */
export const LATE_ALLOWANCE_MS = 2_000;
/** No onset before a streamer has this much history: its baseline is still a guess. */
const WARMUP_S = 30;
/** A surge is over when no second was hot for this long and the score is below the end bar. */
const END_HOLD_S = 3;
/** Emotes unseen this long (and not surging) are dropped. */
const EMOTE_IDLE_S = 600;
const SWEEP_EVERY_S = 60;
/** An emote's past viewers are forgotten this often (seconds of event time; see forgetPastViewers). */
const VIEWERS_PRUNED_EVERY_S = 8;
/**
 * A viewer is fresh when not seen in the stream's chat for this long: a reaction that
 * brings in people who were not chatting is strong evidence of a moment, and a
 * spammer is fresh once.
 */
export const FRESH_AFTER_S = 300;
/** Chatters remembered per streamer; when full of recent ones, a new viewer is not fresh (no evidence). */
export const MAX_CHATTERS_PER_STREAMER = 4_096;
const CHATTER_STEP_S = 10;
/**
 * Distinct emotes tracked per streamer; a new one beyond it replaces the least recently seen.
 * With MAX_VIEWERS_PER_EMOTE viewers (one packed number each) and a ring of RING_SECONDS,
 * an emote holds at most about 12 kB, so a streamer at most about 0.9 MB however hostile its
 * chat (a few kB for an ordinary one: the viewer maps only hold the last few seconds' senders).
 */
export const MAX_EMOTES_PER_STREAMER = 64;
/** What most records decide: one shared array, so the common case allocates nothing. */
const NO_MOMENTS: readonly SurgeMoment[] = Object.freeze([]);

/** A surge in progress: the moment as emitted at onset, and what its end needs. */
export interface ActiveSurge {
  moment: SurgeMoment;
  lastHotSec: number;
  anonymous: number;
}

export interface EmoteState {
  track: EmoteTrack;
  surge: ActiveSurge | null;
  /** No onset before this event time (the cooldown after the last surge). */
  quietUntilMs: number;
}

export interface StreamerState {
  firstSec: number;
  watermarkMs: number;
  /**
   * The resolution of this stream's timestamps so far: the greatest common divisor of
   * their milliseconds within the second. 1 for millisecond timestamps (after a few
   * records), 0 while every one was a whole second (exported chat often is: such a record
   * may have been sent at any time of its second, so the second is judged as if over).
   */
  stepMs: number;
  lastSweepSec: number;
  emotes: Map<string, EmoteState>;
  /** Viewer hash → the last second it sent anything to this stream. */
  chatters: Map<number, number>;
  /** The second of the last pruning of `chatters`. */
  chattersPrunedSec: number;
  /** The whole chat per second and the sum of the emotes' baselines (the share test). */
  totals: ChatTotals;
  /**
   * Emotes with a surge in progress. Derived from `emotes` (not in the JSON): most
   * streamer-seconds have none, and then no emote needs looking at for an end.
   */
  surging: number;
}

/** The whole detector state: per streamer, per emote. */
export type SurgeState = Map<string, StreamerState>;

function secOf(ms: number): number {
  return Math.floor(ms / 1000);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Deterministic: the same stream always gives the same id, so a replay upserts. */
export function surgeMomentId(streamerId: string, emote: string, detectedAtMs: number): string {
  return shortId(`surge\u0000${streamerId}\u0000${emote}\u0000${detectedAtMs}`);
}

/**
 * The surge detector: a deterministic state machine over records in event time. Each
 * record may yield moments: an onset (no `endedAt`), or the end of a surge, emitted as
 * an update of the same moment (same id, `endedAt` set). Nothing depends on how records
 * are batched, only on their order per streamer.
 */
export class SurgeDetector {
  constructor(
    readonly state: SurgeState = new Map(),
    private readonly settingsFor: (streamerId: string) => SurgeSettings = () => DEFAULT_SURGE_SETTINGS,
  ) {}

  push(record: DetectorRecord): readonly SurgeMoment[] {
    return this.pushKeyed(record.streamerId, record.emote, record.timestampMs, viewerKeyOf(record.viewer));
  }

  /** `push` with the viewer already keyed (`surgeViewerKey`): how the worker's surge thread gets records. */
  pushKeyed(
    streamerId: string,
    emoteName: string,
    timestampMs: number,
    viewer: number | undefined,
  ): readonly SurgeMoment[] {
    const streamer = this.streamer(streamerId, timestampMs);
    let out = NO_MOMENTS;
    const previousSec = secOf(streamer.watermarkMs);
    if (timestampMs > streamer.watermarkMs) streamer.watermarkMs = timestampMs;
    if (streamer.stepMs !== 1) {
      const ms = timestampMs - secOf(timestampMs) * 1000;
      // Parsed timestamps are whole milliseconds; anything else must not reach `gcd`.
      if (Number.isInteger(ms)) streamer.stepMs = gcd(streamer.stepMs, ms);
    }
    const nowMs = streamer.watermarkMs;
    const nowSec = secOf(nowMs);
    const settings = this.settingsFor(streamerId);
    if (nowSec > previousSec) {
      if (streamer.surging > 0) out = endSurges(streamer, settings);
      if (nowSec - streamer.lastSweepSec >= SWEEP_EVERY_S) sweep(streamer, nowSec);
    }
    const sec = secOf(Math.max(timestampMs, nowMs - LATE_ALLOWANCE_MS));
    const fresh = viewer !== undefined && seenChatting(streamer, viewer, sec);
    const emote = emoteOf(streamer, emoteName, nowSec);
    if (!emote) return out;
    const { track } = emote;
    if (nowSec - track.prunedSec >= VIEWERS_PRUNED_EVERY_S) {
      const keepFromSec = emote.surge ? secOf(Date.parse(emote.surge.moment.startedAt)) : Infinity;
      forgetPastViewers(track, nowSec, keepFromSec);
    }
    streamer.totals.baselineSum += catchUp(track, nowSec - RING_SECONDS + 1, streamer.firstSec);
    const counted = viewerWeight(track, viewer, sec);
    if (counted === NOT_COUNTED) return out;
    const bucket = addToBucket(track, sec, 1, viewer === undefined, fresh, counted === COUNTED_REPEAT);
    addToTotals(streamer.totals, sec, 1);
    if (emote.surge) {
      const { surge } = emote;
      if (viewer === undefined) surge.anonymous++;
      if (bucket > surge.moment.peakRate) surge.moment.peakRate = bucket;
      if (isHot(track, bucket) && sec > surge.lastHotSec) surge.lastHotSec = sec;
      return out;
    }
    if (nowMs < emote.quietUntilMs || nowSec - streamer.firstSec < WARMUP_S) return out;
    const bar = onsetBar(settings);
    const sinceSec = Math.ceil(emote.quietUntilMs / 1000);
    const score = windowScore(
      track,
      streamer.totals,
      nowMs,
      streamer.stepMs,
      streamer.firstSec,
      bar,
      sinceSec,
    );
    if (score < bar) return out;
    const viewers = distinctViewers(track, nowSec);
    if (viewers < settings.minViewers) return out;
    return [...out, this.onset(streamer, streamerId, emoteName, emote, nowMs, score, viewers)];
  }

  private onset(
    streamer: StreamerState,
    streamerId: string,
    emoteName: string,
    emote: EmoteState,
    nowMs: number,
    score: number,
    viewers: number,
  ): SurgeMoment {
    const { track } = emote;
    const nowSec = secOf(nowMs);
    const startSec = onsetSecond(track, nowSec);
    let peak = 0;
    for (let s = startSec; s <= nowSec; s++) peak = Math.max(peak, bucketWeight(track, s));
    const moment: SurgeMoment = {
      id: surgeMomentId(streamerId, emoteName, nowMs),
      streamerId,
      emote: emoteName,
      kind: "surge",
      startedAt: new Date(startSec * 1000).toISOString(),
      detectedAt: new Date(nowMs).toISOString(),
      peakRate: peak,
      baselineRate: round(track.rate),
      score: round(score),
      viewers,
    };
    emote.surge = { moment, lastHotSec: nowSec, anonymous: 0 };
    streamer.surging++;
    // Every second not yet in the baseline may hold the surge's ramp (its onset is an estimate).
    track.frozenFromSec = Math.min(startSec, nowSec - RING_SECONDS + 1);
    track.frozenThroughSec = Number.MAX_SAFE_INTEGER;
    return { ...moment };
  }

  /** Forgets streamers whose newest record is older than `beforeMs` (event time); returns how many. */
  evictIdle(beforeMs: number): number {
    let evicted = 0;
    for (const [id, streamer] of this.state) {
      if (streamer.watermarkMs < beforeMs) {
        this.state.delete(id);
        evicted++;
      }
    }
    return evicted;
  }

  private streamer(streamerId: string, timestampMs: number): StreamerState {
    let streamer = this.state.get(streamerId);
    if (!streamer) {
      const sec = secOf(timestampMs);
      streamer = {
        firstSec: sec,
        watermarkMs: timestampMs,
        stepMs: 0,
        lastSweepSec: sec,
        emotes: new Map(),
        chatters: new Map(),
        chattersPrunedSec: -1,
        totals: newChatTotals(),
        surging: 0,
      };
      this.state.set(streamerId, streamer);
    }
    return streamer;
  }
}

function endSurges(streamer: StreamerState, settings: SurgeSettings): readonly SurgeMoment[] {
  let ended: SurgeMoment[] | undefined;
  const nowMs = streamer.watermarkMs;
  const nowSec = secOf(nowMs);
  let bars: SurgeThresholds | undefined;
  for (const emote of streamer.emotes.values()) {
    const { surge, track } = emote;
    if (!surge || nowSec - surge.lastHotSec <= END_HOLD_S) continue;
    // Asked once per streamer and second, mostly with no surge to end: derived only when one may.
    const { end } = (bars ??= surgeThresholds(settings));
    streamer.totals.baselineSum += catchUp(track, nowSec - RING_SECONDS + 1, streamer.firstSec);
    if (windowScore(track, streamer.totals, nowMs, streamer.stepMs, streamer.firstSec, end) >= end) continue;
    const endedAtMs = (surge.lastHotSec + 1) * 1000;
    const startSec = secOf(Date.parse(surge.moment.startedAt));
    const seen = distinctViewers(track, nowSec, startSec) + surge.anonymous;
    (ended ??= []).push({
      ...surge.moment,
      endedAt: new Date(endedAtMs).toISOString(),
      viewers: Math.max(surge.moment.viewers, seen),
    });
    emote.surge = null;
    streamer.surging--;
    emote.quietUntilMs = endedAtMs + settings.cooldownMs;
    track.frozenThroughSec = surge.lastHotSec;
  }
  return ended ?? NO_MOMENTS;
}

/**
 * Records that `viewer` chatted in second `sec`; true when it had not for FRESH_AFTER_S
 * (or ever). A full memory of recent chatters makes a new viewer not fresh: the second
 * test then falls silent rather than the memory growing.
 */
function seenChatting(streamer: StreamerState, viewer: number, sec: number): boolean {
  const { chatters } = streamer;
  const last = chatters.get(viewer);
  if (last !== undefined) {
    // Refreshed every CHATTER_STEP_S at most: freshness is a matter of minutes, and a
    // write per record would be most of this function's cost.
    if (sec >= last + CHATTER_STEP_S) chatters.set(viewer, sec);
    return last < sec - FRESH_AFTER_S;
  }
  if (chatters.size >= MAX_CHATTERS_PER_STREAMER && sec > streamer.chattersPrunedSec) {
    streamer.chattersPrunedSec = sec;
    for (const [v, s] of chatters) if (s < sec - FRESH_AFTER_S) chatters.delete(v);
  }
  if (chatters.size >= MAX_CHATTERS_PER_STREAMER) return false;
  chatters.set(viewer, sec);
  return true;
}

/** The emote's state, created on first sight; undefined when the streamer is full of surging emotes. */
function emoteOf(streamer: StreamerState, name: string, nowSec: number): EmoteState | undefined {
  let emote = streamer.emotes.get(name);
  if (!emote) {
    if (streamer.emotes.size >= MAX_EMOTES_PER_STREAMER) evictOne(streamer, nowSec);
    if (streamer.emotes.size >= MAX_EMOTES_PER_STREAMER) return undefined;
    emote = {
      track: newEmoteTrack(nowSec, nowSec - RING_SECONDS + 1, streamer.firstSec),
      surge: null,
      quietUntilMs: 0,
    };
    streamer.emotes.set(name, emote);
  }
  return emote;
}

/** The first second of the run of hot seconds ending now (one cool second is forgiven). */
function onsetSecond(track: EmoteTrack, nowSec: number): number {
  let start = nowSec;
  let cool = 0;
  for (let s = nowSec; s > nowSec - RING_SECONDS; s--) {
    if (isHot(track, bucketWeight(track, s))) {
      start = s;
      cool = 0;
    } else if (++cool > 1) break;
  }
  return start;
}

function sweep(streamer: StreamerState, nowSec: number): void {
  streamer.lastSweepSec = nowSec;
  for (const [name, emote] of streamer.emotes) {
    if (!emote.surge && emote.track.lastSeenSec < nowSec - EMOTE_IDLE_S) forget(streamer, name, emote);
  }
}

function evictOne(streamer: StreamerState, nowSec: number): void {
  sweep(streamer, nowSec);
  if (streamer.emotes.size < MAX_EMOTES_PER_STREAMER) return;
  let oldest: [string, EmoteState] | undefined;
  let oldestSec = Infinity;
  for (const [name, emote] of streamer.emotes) {
    if (!emote.surge && emote.track.lastSeenSec < oldestSec) {
      oldest = [name, emote];
      oldestSec = emote.track.lastSeenSec;
    }
  }
  if (oldest !== undefined) forget(streamer, ...oldest);
}

function forget(streamer: StreamerState, name: string, emote: EmoteState): void {
  streamer.emotes.delete(name);
  streamer.totals.baselineSum -= emote.track.rate;
}

/**
 * A viewer as the detector keys it, from its `viewerHash`: 30 bits (a rare collision merges
 * two viewers), a small integer that Maps hash without allocating.
 */
export function surgeViewerKey(hash: number): number {
  return hash & 0x3fffffff;
}

/** A record's viewer header as the detector keys it; undefined for a record without one. */
export function viewerKeyOf(viewer: string | undefined): number | undefined {
  return viewer === undefined ? undefined : surgeViewerKey(viewerHash(viewer));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
