import {
  DEFAULT_STREAMER_ID,
  MAX_RAW_MESSAGE_BYTES,
  rawEmoteSchema,
  type TimestampWindow,
} from "@emote/contracts";
import type { DetectorRecord } from "../detectors/detector-types.ts";
import { acceptedText, ByteCache, bytesOf, sameBytes, startsWith, textOf } from "./byte-cache.ts";
import { acceptsEmote, acceptsStreamerId, SECOND_BYTES, secondMsAt, viewerSchema } from "./fast-line.ts";

/**
 * Lines in any other flat layout, read in place: fields in any order, whitespace around
 * them (Python's `json.dumps` writes `", "` and `": "`), escapes in string values (its
 * default `ensure_ascii` writes 🔥 as `\ud83d\udd25`), unknown fields with plain values,
 * and the timestamp forms `detect` reads (a space for the `T`, no offset, up to nine
 * fraction digits). As in fast-line.ts a field becomes a string through a cache keyed by
 * its raw bytes, and the contract's schema is asked once per distinct value. Anything
 * this does not read exactly as the full parser would (nested values, escaped keys, an
 * offset other than UTC, a number for a timestamp or a viewer) is left to the full parser:
 * undefined. Never throws.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const SPACE = 0x20;
const Z = 0x5a;
const LOWER_Z = 0x7a;

const enum Field {
  Other,
  Emote,
  Timestamp,
  StreamerId,
  Viewer,
  Id,
}

const FIELD_NAMES: [Field, Uint8Array][] = [
  [Field.Emote, bytesOf("emote")],
  [Field.Timestamp, bytesOf("timestamp")],
  [Field.StreamerId, bytesOf("streamerId")],
  [Field.Viewer, bytesOf("viewer")],
  [Field.Id, bytesOf("id")],
];

function isSpace(c: number): boolean {
  return c === SPACE || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function fieldOf(buf: Uint8Array, from: number, to: number): Field {
  for (const [field, name] of FIELD_NAMES) if (sameBytes(name, buf, from, to)) return field;
  return Field.Other;
}

/** Scan state: where the string being read starts, and whether it held an escape. */
interface Scan {
  at: number;
  /** Whether the last string read holds an escape (its bytes are then not its text). */
  escaped: boolean;
}

/** The end of a JSON string whose content starts at `scan.at` (the quote's index); -1 if not one. */
function stringEnd(buf: Uint8Array, scan: Scan, end: number): number {
  scan.escaped = false;
  for (let i = scan.at; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c === QUOTE) return i;
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      scan.escaped = true;
      i++;
    }
  }
  return -1;
}

/** The end of a JSON number, true, false or null starting at `at`; -1 if none is there. */
function plainValueEnd(buf: Uint8Array, at: number, end: number): number {
  for (const literal of LITERALS) {
    if (at + literal.length <= end && startsWith(buf, at, literal)) return at + literal.length;
  }
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  let i = at;
  if (buf[i] === MINUS) i++;
  if (buf[i] === 0x30) i++;
  else if (isDigit(buf[i] ?? 0)) while (isDigit(buf[i] ?? 0)) i++;
  else return -1;
  if (buf[i] === DOT) {
    i++;
    if (!isDigit(buf[i] ?? 0)) return -1;
    while (isDigit(buf[i] ?? 0)) i++;
  }
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    i++;
    if (buf[i] === PLUS || buf[i] === MINUS) i++;
    if (!isDigit(buf[i] ?? 0)) return -1;
    while (isDigit(buf[i] ?? 0)) i++;
  }
  return i <= end ? i : -1;
}
const LITERALS = [bytesOf("true"), bytesOf("false"), bytesOf("null")];
const NULL = LITERALS[2] ?? new Uint8Array(0);

/** A line's known fields, by `Field` (reused: one line is read at a time, synchronously). */
const FIELDS = 6;
const spanFrom = new Int32Array(FIELDS);
const spanTo = new Int32Array(FIELDS);
const spanEscaped = new Uint8Array(FIELDS);

/** Accepted values by their raw bytes (escapes included); null: refused. */
const emotes = new ByteCache<string | null>();
const streamers = new ByteCache<string | null>();
const viewers = new ByteCache<string | null>();

const acceptsViewer = (text: string): boolean => viewerSchema.safeParse(text).success;

/**
 * Epoch milliseconds of a timestamp `YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|z|+00:00|+0000|+00]`
 * (no escapes); undefined for any other form. Fraction digits beyond the third are cut, as
 * `Date.parse` cuts them.
 */
function timestampMs(buf: Uint8Array, from: number, to: number): number | undefined {
  if (to - from < SECOND_BYTES) return undefined;
  const secondMs = secondMsAt(buf, from);
  if (secondMs === undefined) return undefined;
  let i = from + SECOND_BYTES;
  let ms = 0;
  if (buf[i] === DOT) {
    i++;
    let n = 0;
    while (i < to && isDigit(buf[i] ?? 0)) {
      if (n < 3) ms = ms * 10 + ((buf[i] ?? 0) - 0x30);
      n++;
      i++;
    }
    if (n === 0 || n > 9) return undefined;
    for (let k = n; k < 3; k++) ms *= 10;
  }
  if (!isUtc(buf, i, to)) return undefined;
  return secondMs + ms;
}

/** `Z`, `z`, nothing (UTC, offline), or a zero offset `+00:00`, `+0000`, `+00` (either sign). */
function isUtc(buf: Uint8Array, at: number, to: number): boolean {
  const rest = to - at;
  if (rest === 0) return true;
  if (rest === 1) return buf[at] === Z || buf[at] === LOWER_Z;
  const sign = buf[at];
  if (sign !== PLUS && sign !== MINUS) return false;
  if (rest !== 3 && rest !== 5 && rest !== 6) return false;
  for (let i = at + 1; i < to; i++) {
    if (rest === 6 && i === at + 3) {
      if (buf[i] !== COLON) return false;
    } else if (buf[i] !== 0x30) return false;
  }
  return true;
}

/**
 * The record of the flat JSON object in `buf[start, end)`, or undefined when the full
 * parser must decide (as for a known field given twice).
 */
export function parseFlatAt(
  buf: Uint8Array,
  start: number,
  end: number,
  window: TimestampWindow,
): DetectorRecord | undefined {
  if (end - start > MAX_RAW_MESSAGE_BYTES) return undefined;
  const scan: Scan = { at: start, escaped: false };
  let i = start;
  while (i < end && isSpace(buf[i] ?? 0)) i++;
  if (buf[i] !== OPEN) return undefined;
  i++;
  // Spans of the known fields' string values, by Field: [from, to), whether escaped; -1: absent.
  spanFrom.fill(-1);
  let first = true;
  let seen = 0;
  for (;;) {
    while (i < end && isSpace(buf[i] ?? 0)) i++;
    if (buf[i] === CLOSE && first) {
      i++;
      break;
    }
    if (buf[i] !== QUOTE) return undefined;
    scan.at = i + 1;
    const keyEnd = stringEnd(buf, scan, end);
    if (keyEnd === -1 || scan.escaped) return undefined;
    const field = fieldOf(buf, i + 1, keyEnd);
    // A known field twice: which value counts, and whether the first was valid JSON text,
    // are the full parser's to say.
    if (field !== Field.Other) {
      if ((seen & (1 << field)) !== 0) return undefined;
      seen |= 1 << field;
    }
    i = keyEnd + 1;
    while (i < end && isSpace(buf[i] ?? 0)) i++;
    if (buf[i] !== COLON) return undefined;
    i++;
    while (i < end && isSpace(buf[i] ?? 0)) i++;
    if (buf[i] === QUOTE) {
      scan.at = i + 1;
      const valueEnd = stringEnd(buf, scan, end);
      if (valueEnd === -1) return undefined;
      const from = i + 1;
      if (field !== Field.Other) {
        spanFrom[field] = from;
        spanTo[field] = valueEnd;
        spanEscaped[field] = scan.escaped ? 1 : 0;
      } else if (scan.escaped && textOf(buf, from, valueEnd, true) === undefined) return undefined;
      i = valueEnd + 1;
    } else {
      const valueEnd = plainValueEnd(buf, i, end);
      if (valueEnd === -1) return undefined;
      // A known field with a value that is not a string: a null viewer is no viewer; the
      // rest (numbers, booleans, nulls elsewhere) are the full parser's to read or refuse.
      if (field === Field.Viewer) {
        if (!sameBytes(NULL, buf, i, valueEnd)) return undefined;
        spanFrom[Field.Viewer] = -1;
      } else if (field !== Field.Other) return undefined;
      i = valueEnd;
    }
    first = false;
    while (i < end && isSpace(buf[i] ?? 0)) i++;
    if (buf[i] === COMMA) {
      i++;
      continue;
    }
    if (buf[i] !== CLOSE) return undefined;
    i++;
    break;
  }
  while (i < end && isSpace(buf[i] ?? 0)) i++;
  if (i !== end || spanFrom[Field.Emote] === -1 || spanFrom[Field.Timestamp] === -1) return undefined;
  if (spanEscaped[Field.Timestamp] === 1) return undefined;
  const ms = timestampMs(buf, spanFrom[Field.Timestamp] ?? 0, spanTo[Field.Timestamp] ?? 0);
  if (ms === undefined || !(ms >= window.earliestMs && ms <= window.latestMs)) return undefined;
  const emote = known(Field.Emote, emotes, buf, acceptsEmote);
  if (emote === undefined) return undefined;
  let streamerId = DEFAULT_STREAMER_ID;
  if (spanFrom[Field.StreamerId] !== -1) {
    const given = known(Field.StreamerId, streamers, buf, acceptsStreamerId);
    if (given === undefined) return undefined;
    streamerId = given;
  }
  const record: DetectorRecord = { emote, timestampMs: ms, streamerId };
  if (spanFrom[Field.Id] !== -1) {
    const id = textOf(buf, spanFrom[Field.Id] ?? 0, spanTo[Field.Id] ?? 0, spanEscaped[Field.Id] === 1);
    if (id === undefined || !rawEmoteSchema.shape.id.safeParse(id).success) return undefined;
    record.id = id;
  }
  // An empty viewer is no viewer (see emote-line.ts).
  if (spanFrom[Field.Viewer] !== -1 && (spanTo[Field.Viewer] ?? 0) > (spanFrom[Field.Viewer] ?? 0)) {
    const viewer = known(Field.Viewer, viewers, buf, acceptsViewer);
    if (viewer === undefined) return undefined;
    record.viewer = viewer;
  }
  return record;
}

/** The accepted text of a known field's span (see `acceptedText`). */
function known(
  field: Field,
  cache: ByteCache<string | null>,
  buf: Uint8Array,
  accepts: (text: string) => boolean,
): string | undefined {
  return acceptedText(
    cache,
    buf,
    spanFrom[field] ?? 0,
    spanTo[field] ?? 0,
    accepts,
    spanEscaped[field] === 1,
  );
}
