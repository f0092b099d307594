import { rawEmoteSchema, type TimestampWindow } from "@emote/contracts";
import type { DetectorRecord } from "../detectors/detector-types.ts";
import { acceptedText, ByteCache, bytesOf, copyOf, hashBytes, startsWith, utf8 } from "./byte-cache.ts";
import { z } from "zod";

/**
 * The form producers write (`toISOString` timestamps, fields in the contract's order,
 * optional trailing `viewer`), read in place from the input's bytes: no decoding of the
 * line, no regular expression, no string per line. A field becomes a string through a
 * small cache keyed by its bytes, so a repeated emote, streamer or viewer costs a hash
 * and a comparison. The contract's schema is asked once per distinct emote, streamer
 * and second: it stays the only judge (besides the plain emote names `detect` reads,
 * see emote-line.ts), at a fraction of its cost per line. Anything
 * else (other field orders, escapes, offsets, bad values) is left to the full parser.
 */
const EMOTE_KEY = bytesOf('{"emote":"');
const TIMESTAMP_KEY = bytesOf('","timestamp":"');
const STREAMER_KEY = bytesOf('Z","streamerId":"');
const VIEWER_KEY = bytesOf('","viewer":"');
/** `YYYY-MM-DDTHH:MM:SS` (or a space for the `T`), then `.mmm`. */
export const SECOND_BYTES = 19;
const SPACE = 0x20;
const T = 0x54;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const CLOSE = 0x7d;
/** A viewer id as the gateway's `viewer` header carries it (characters; bytes bound it from above). */
export const VIEWER_MAX = 128;
export const viewerSchema = z
  .string()
  .min(1, "viewer must not be empty")
  .max(VIEWER_MAX, `viewer is at most ${VIEWER_MAX} characters`);

/**
 * The end of a JSON string starting at `from` with no escape or control character; -1
 * when not so plain. A byte of a multi-byte UTF-8 character is never one of those.
 */
function plainStringEnd(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c === QUOTE) return i;
    if (c < 0x20 || c === BACKSLASH) return -1;
  }
  return -1;
}

function digits(buf: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = (buf[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/** Accepted emotes and streamer ids (the schema judges each field on its own); null: refused. */
const emotes = new ByteCache<string | null>();
const streamers = new ByteCache<string | null>();
const viewers = new ByteCache<string>();
/** Accepted seconds with their epoch milliseconds; null: refused. */
const seconds = new ByteCache<number | null>();
let lastSecond: Uint8Array = new Uint8Array(0);
let lastSecondMs = 0;

/** A plain emote name as chat platforms write it (Kappa, PogChamp): a named emote without its colons. */
export const PLAIN_NAME = /^[A-Za-z0-9_+-]{1,32}$/;

export const acceptsEmote = (text: string): boolean =>
  rawEmoteSchema.shape.emote.safeParse(text).success || PLAIN_NAME.test(text);
export const acceptsStreamerId = (text: string): boolean =>
  rawEmoteSchema.shape.streamerId.safeParse(text).success;

/**
 * Epoch milliseconds of the second `YYYY-MM-DD?HH:MM:SS` at `buf[at]` (`T` or a space
 * between date and time); undefined if the contract's timestamp schema refuses it.
 */
export function secondMsAt(buf: Uint8Array, at: number): number | undefined {
  // Lines come in time order: most share the previous line's second.
  if (lastSecond.length === SECOND_BYTES && startsWith(buf, at, lastSecond)) return lastSecondMs;
  const to = at + SECOND_BYTES;
  if (to > buf.length) return undefined;
  const hash = hashBytes(buf, at, to);
  let ms = seconds.get(buf, at, to, hash);
  if (ms === undefined) {
    // The timestamp's own schema: a probe emote would tie this cache to what counts as an emote.
    const text = utf8(buf, at, to);
    const sep = buf[at + 10];
    const timestamp = `${text.slice(0, 10)}T${text.slice(11)}.000Z`;
    ms =
      (sep === T || sep === SPACE) && rawEmoteSchema.shape.timestamp.safeParse(timestamp).success
        ? Date.parse(timestamp)
        : null;
    seconds.set(buf, at, to, hash, ms);
  }
  if (ms === null) return undefined;
  lastSecond = copyOf(buf, at, to);
  lastSecondMs = ms;
  return ms;
}

function viewerAt(buf: Uint8Array, from: number, to: number): string {
  const hash = hashBytes(buf, from, to);
  let viewer = viewers.get(buf, from, to, hash);
  if (viewer === undefined) {
    viewer = utf8(buf, from, to);
    viewers.set(buf, from, to, hash, viewer);
  }
  return viewer;
}

/**
 * The producers' form of the line `buf[start, end)` (UTF-8, no line break), or
 * undefined for anything else: the full parser then decides. Never throws.
 */
export function parseFastAt(
  buf: Uint8Array,
  start: number,
  end: number,
  window: TimestampWindow,
): DetectorRecord | undefined {
  if (!startsWith(buf, start, EMOTE_KEY)) return undefined;
  const emoteFrom = start + EMOTE_KEY.length;
  const emoteEnd = plainStringEnd(buf, emoteFrom, end);
  if (emoteEnd <= emoteFrom || !startsWith(buf, emoteEnd, TIMESTAMP_KEY)) return undefined;
  const secondAt = emoteEnd + TIMESTAMP_KEY.length;
  const millisAt = secondAt + SECOND_BYTES + 1;
  if (buf[millisAt - 1] !== DOT || !startsWith(buf, millisAt + 3, STREAMER_KEY)) return undefined;
  const millis = digits(buf, millisAt, 3);
  if (Number.isNaN(millis)) return undefined;
  const streamerFrom = millisAt + 3 + STREAMER_KEY.length;
  const streamerEnd = plainStringEnd(buf, streamerFrom, end);
  if (streamerEnd <= streamerFrom) return undefined;
  let viewer: string | undefined;
  if (streamerEnd + 2 === end) {
    if (buf[streamerEnd + 1] !== CLOSE) return undefined;
  } else {
    if (!startsWith(buf, streamerEnd, VIEWER_KEY)) return undefined;
    const viewerFrom = streamerEnd + VIEWER_KEY.length;
    const viewerEnd = plainStringEnd(buf, viewerFrom, end);
    if (viewerEnd !== end - 2 || buf[end - 1] !== CLOSE || viewerEnd === viewerFrom) return undefined;
    // Beyond VIEWER_MAX bytes it may still be VIEWER_MAX characters or fewer: the full parser counts.
    if (viewerEnd - viewerFrom > VIEWER_MAX) return undefined;
    viewer = viewerAt(buf, viewerFrom, viewerEnd);
  }
  const secondMs = secondMsAt(buf, secondAt);
  if (secondMs === undefined) return undefined;
  const timestampMs = secondMs + millis;
  if (!(timestampMs >= window.earliestMs && timestampMs <= window.latestMs)) return undefined;
  const emote = acceptedText(emotes, buf, emoteFrom, emoteEnd, acceptsEmote);
  if (emote === undefined) return undefined;
  const streamerId = acceptedText(streamers, buf, streamerFrom, streamerEnd, acceptsStreamerId);
  if (streamerId === undefined) return undefined;
  return viewer === undefined
    ? { emote, timestampMs, streamerId }
    : { emote, timestampMs, streamerId, viewer };
}
