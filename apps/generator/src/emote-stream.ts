import { DEFAULT_EMOTES, DEFAULT_STREAMER_ID } from "@emote/contracts";
import { createRandom, hashString } from "./prng.ts";

/** One message for `raw-emote-data`, in the full form of the contract. */
export interface EmoteMessage {
  emote: string;
  /** ISO-8601, UTC, millisecond precision. */
  timestamp: string;
  streamerId: string;
  id: string;
  /** The simulated viewer (sent as the record's `viewer` header, not in the value). */
  viewer?: string;
}

/**
 * A message with the trace context it was recorded with (a replayed line's `traceparent`).
 * The context travels in the record's header, not in its value.
 */
export interface TracedEmoteMessage extends EmoteMessage {
  traceparent?: string;
}

export interface EmoteStreamOptions {
  /** Any integer; taken modulo 2^32. Same seed and start → the same messages, ids included. */
  seed: number;
  /** Number of streamers (default 1, named `default`; with more they are `s1…sN`). */
  streamers?: number;
  /** Ticks per second per streamer (default 1). */
  rate?: number;
  /** The emotes to pick from (default the eight of the original system). */
  emotes?: readonly string[];
  /** Virtual clock at tick 0, as a Date or epoch milliseconds. */
  start: Date | number;
  /** Stop after this many emotes in total; omitted → endless. */
  count?: number;
  /**
   * Simulated viewers per streamer (default 0: messages without a viewer, no surges). With
   * viewers, every message names one, and now and then a crowd reacts together (see SURGE_*).
   * The emotes of the ordinary ticks do not change: viewers and surges draw from a PRNG of their own.
   */
  viewers?: number;
}

/** The original system's shape: one tick in five is a burst of 3–10 of the same emote. */
export const BURST_PROBABILITY = 0.2;
export const BURST_MIN = 3;
export const BURST_MAX = 10;

/** With viewers: a surge starts at a tick with this probability per second of stream (one every ~90 s). */
export const SURGE_PER_SECOND = 1 / 90;
/** A surge lasts 8–20 s; each of its ticks adds 2–5 emotes of its emote, each from a viewer drawn anew. */
export const SURGE_MIN_S = 8;
export const SURGE_MAX_S = 20;

/** `default` for a single streamer (as the original system), `s1…sN` for more. */
export function streamerIds(count: number): string[] {
  if (count === 1) return [DEFAULT_STREAMER_ID];
  return Array.from({ length: count }, (_, i) => `s${i + 1}`);
}

/**
 * The generated stream, in send order: tick by tick, and within a tick streamer by streamer.
 * Tick k of every streamer is stamped `start + k / rate` seconds. Each streamer draws from
 * its own PRNG (derived from the seed and its id), so a streamer's emotes do not depend on
 * how many other streamers run beside it. Ids are `${streamerId}-${runTag}-${n}`, n counting
 * that streamer's emotes; the run tag (from seed and start) keeps separate runs apart.
 * No validation per message: this feeds million-message benchmarks.
 */
export function* generateEmotes(options: EmoteStreamOptions): Generator<EmoteMessage, void, undefined> {
  const streamers = options.streamers ?? 1;
  const rate = options.rate ?? 1;
  const emotes = options.emotes ?? DEFAULT_EMOTES;
  const startMs = typeof options.start === "number" ? options.start : options.start.getTime();
  const count = options.count ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(streamers) || streamers < 1)
    throw new RangeError(`streamers must be a positive integer, got ${streamers}`);
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new RangeError(`rate must be a positive number, got ${rate}`);
  if (emotes.length === 0) throw new RangeError("emotes must not be empty");
  if (!Number.isFinite(startMs)) throw new RangeError("start is not a valid time");
  if (!(count >= 0)) throw new RangeError(`count must not be negative, got ${count}`);

  const seedBasis = (options.seed ^ 0x811c9dc5) >>> 0;
  const runTag = hashString(String(startMs), seedBasis).toString(36);
  const viewers = options.viewers ?? 0;
  if (!Number.isInteger(viewers) || viewers < 0)
    throw new RangeError(`viewers must be a whole number, got ${viewers}`);
  const lanes = streamerIds(streamers).map((id) => ({
    id,
    prefix: `${id}-${runTag}-`,
    random: createRandom(hashString(id, seedBasis)),
    crowd: createRandom(hashString(`${id}/viewers`, seedBasis)),
    surge: { untilTick: -1, emote: "" },
    emitted: 0,
  }));
  const msPerTick = 1000 / rate;

  let remaining = count;
  for (let tick = 0; remaining > 0; tick++) {
    const timestamp = new Date(startMs + Math.round(tick * msPerTick)).toISOString();
    for (const lane of lanes) {
      const random = lane.random;
      const emote = emotes[Math.floor(random() * emotes.length)] as string;
      const size =
        random() < BURST_PROBABILITY ? BURST_MIN + Math.floor(random() * (BURST_MAX - BURST_MIN + 1)) : 1;
      // A burst is one viewer's spam; a surge is many viewers at once.
      const viewer = viewers > 0 ? `v${Math.floor(lane.crowd() * viewers)}` : undefined;
      for (let i = 0; i < size; i++) {
        if (remaining <= 0) return;
        remaining--;
        const id = lane.prefix + lane.emitted++;
        yield viewer === undefined
          ? { emote, timestamp, streamerId: lane.id, id }
          : { emote, timestamp, streamerId: lane.id, id, viewer };
      }
      if (viewers === 0) continue;
      const { crowd, surge } = lane;
      if (tick >= surge.untilTick && crowd() < SURGE_PER_SECOND / rate) {
        const seconds = SURGE_MIN_S + crowd() * (SURGE_MAX_S - SURGE_MIN_S);
        surge.untilTick = tick + Math.ceil(seconds * rate);
        surge.emote = emotes[Math.floor(crowd() * emotes.length)] as string;
      }
      if (tick >= surge.untilTick) continue;
      for (let n = 2 + Math.floor(crowd() * 4); n > 0; n--) {
        if (remaining <= 0) return;
        remaining--;
        const fan = `v${Math.floor(crowd() * viewers)}`;
        yield {
          emote: surge.emote,
          timestamp,
          streamerId: lane.id,
          id: lane.prefix + lane.emitted++,
          viewer: fan,
        };
      }
    }
  }
}
