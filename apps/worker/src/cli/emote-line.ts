import { parseRawEmote, rawEmoteSchema, timestampWindow, type TimestampWindow } from "@emote/contracts";
import { z } from "zod";
import type { DetectorRecord } from "../detectors/detector-types.ts";

/** A viewer id as the gateway's `viewer` header carries it. */
const VIEWER_MAX = 128;
const viewerSchema = z
  .string()
  .min(1, "viewer must not be empty")
  .max(VIEWER_MAX, `viewer is at most ${VIEWER_MAX} characters`);

/**
 * The form producers write (`toISOString` timestamps, fields in the contract's order,
 * optional trailing `viewer`) is read in place, without a regular expression or a copy
 * of the line, from the input's bytes as latin1 text (one character per byte, so
 * reading costs a copy, not a UTF-8 decoding; a byte of a multi-byte character is never
 * a quote, a backslash or a control character). Only the fields are decoded, and only
 * when they hold such bytes. The contract's schema is asked once per distinct emote and
 * streamer and once per distinct second, and the answers are cached: the schema stays
 * the only judge, at a fraction of its cost per line. Anything else is parsed in full
 * by the contract's own parser.
 */
const EMOTE_KEY = '{"emote":"';
const TIMESTAMP_KEY = '","timestamp":"';
const STREAMER_KEY = 'Z","streamerId":"';
const VIEWER_KEY = '","viewer":"';
/** `YYYY-MM-DDTHH:MM:SS`, then `.mmm`. */
const SECOND_CHARS = 19;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CACHE_MAX = 4_096;
/** Emotes and streamer ids the schema accepted (it judges each field on its own), by their latin1 form. */
const emotesOk = new Map<string, string>();
const streamersOk = new Map<string, string>();
/** Seconds (`YYYY-MM-DDTHH:MM:SS`) the schema accepted, with their epoch milliseconds. */
const secondsOk = new Map<string, number>();
let lastSecond = "";
let lastSecondMs = 0;

export type LineResult = { ok: true; record: DetectorRecord } | { ok: false; error: string };

function remember<T>(cache: Set<T> | Map<T, unknown>, add: () => void): void {
  if (cache.size >= CACHE_MAX) cache.clear();
  add();
}

/** The end of a JSON string starting at `from` with no escape or control character; -1 when not so plain. */
function plainStringEnd(text: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    // Control characters are forbidden raw in JSON strings; an escape needs the full parser.
    if (c < 0x20 || c === BACKSLASH) return -1;
  }
  return -1;
}

/** A field's latin1 text as the string its UTF-8 bytes spell. */
function decoded(latin1: string): string {
  for (let i = 0; i < latin1.length; i++) {
    if (latin1.charCodeAt(i) >= 0x80) return Buffer.from(latin1, "latin1").toString("utf8");
  }
  return latin1;
}

/** The decoded field if the schema accepts it (cached by its latin1 form), else undefined. */
function checked(cache: Map<string, string>, latin1: string, schema: z.ZodType): string | undefined {
  const known = cache.get(latin1);
  if (known !== undefined) return known;
  const value = decoded(latin1);
  if (!schema.safeParse(value).success) return undefined;
  remember(cache, () => cache.set(latin1, value));
  return value;
}

/** Three ASCII digits at `at` as a number; NaN when any is not a digit. */
function millisAt(text: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 3; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

function secondMsAt(text: string, at: number): number | undefined {
  // Lines come in time order: most share the previous line's second.
  if (lastSecond !== "" && text.startsWith(lastSecond, at)) return lastSecondMs;
  const second = text.slice(at, at + SECOND_CHARS);
  let ms = secondsOk.get(second);
  if (ms === undefined) {
    const timestamp = `${second}.000Z`;
    // The timestamp's own schema: a probe emote would tie this cache to what counts as an emote.
    if (!rawEmoteSchema.shape.timestamp.safeParse(timestamp).success) return undefined;
    const parsed = Date.parse(timestamp);
    ms = parsed;
    remember(secondsOk, () => secondsOk.set(second, parsed));
  }
  lastSecond = second;
  lastSecondMs = ms;
  return ms;
}

/**
 * The producers' form of the line `text[start, end)` (latin1 text of the input's
 * bytes), or undefined for anything else (the full parser then decides). Never throws.
 */
export function parseFastAt(
  text: string,
  start: number,
  end: number,
  window: TimestampWindow,
): DetectorRecord | undefined {
  if (!text.startsWith(EMOTE_KEY, start)) return undefined;
  const emoteFrom = start + EMOTE_KEY.length;
  const emoteEnd = plainStringEnd(text, emoteFrom, end);
  if (emoteEnd <= emoteFrom || !text.startsWith(TIMESTAMP_KEY, emoteEnd)) return undefined;
  const secondAt = emoteEnd + TIMESTAMP_KEY.length;
  const millisFrom = secondAt + SECOND_CHARS + 1;
  if (text.charCodeAt(millisFrom - 1) !== 0x2e || !text.startsWith(STREAMER_KEY, millisFrom + 3))
    return undefined;
  const millis = millisAt(text, millisFrom);
  if (Number.isNaN(millis)) return undefined;
  const streamerFrom = millisFrom + 3 + STREAMER_KEY.length;
  const streamerEnd = plainStringEnd(text, streamerFrom, end);
  if (streamerEnd <= streamerFrom) return undefined;
  let viewer: string | undefined;
  if (streamerEnd + 2 === end) {
    if (text.charCodeAt(streamerEnd + 1) !== 0x7d) return undefined;
  } else {
    if (!text.startsWith(VIEWER_KEY, streamerEnd)) return undefined;
    const viewerFrom = streamerEnd + VIEWER_KEY.length;
    const viewerEnd = plainStringEnd(text, viewerFrom, end);
    if (viewerEnd !== end - 2 || text.charCodeAt(end - 1) !== 0x7d) return undefined;
    if (viewerEnd === viewerFrom || viewerEnd - viewerFrom > VIEWER_MAX) return undefined;
    viewer = decoded(text.slice(viewerFrom, viewerEnd));
  }
  const secondMs = secondMsAt(text, secondAt);
  if (secondMs === undefined) return undefined;
  const timestampMs = secondMs + millis;
  if (!(timestampMs >= window.earliestMs && timestampMs <= window.latestMs)) return undefined;
  const emote = checked(emotesOk, text.slice(emoteFrom, emoteEnd), rawEmoteSchema.shape.emote);
  if (emote === undefined) return undefined;
  const streamerId = checked(
    streamersOk,
    text.slice(streamerFrom, streamerEnd),
    rawEmoteSchema.shape.streamerId,
  );
  if (streamerId === undefined) return undefined;
  return viewer === undefined
    ? { emote, timestampMs, streamerId }
    : { emote, timestampMs, streamerId, viewer };
}

/** One `raw-emote-data` value with an optional `viewer` field; never throws. */
export function parseEmoteLine(line: string, window: TimestampWindow = timestampWindow()): LineResult {
  const latin1 = Buffer.from(line, "utf8").toString("latin1");
  const fast = parseFastAt(latin1, 0, latin1.length, window);
  if (fast) return { ok: true, record: fast };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const parsed = parseRawEmote(Buffer.from(line, "utf8"), window);
  if (!parsed.ok) return { ok: false, error: parsed.detail };
  if (typeof json !== "object" || json === null || !("viewer" in json))
    return { ok: true, record: parsed.value };
  const v = viewerSchema.safeParse(json.viewer);
  if (!v.success) return { ok: false, error: `invalid viewer: ${v.error.issues[0]?.message ?? "invalid"}` };
  return { ok: true, record: { ...parsed.value, viewer: v.data } };
}
