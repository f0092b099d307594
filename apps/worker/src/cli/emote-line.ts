import { parseRawEmote, type ParseResult, type TimestampWindow } from "@emote/contracts";
import type { DetectorRecord } from "../detectors/detector-types.ts";
import { parseFastAt, PLAIN_NAME, viewerSchema } from "./fast-line.ts";
import { parseFlatAt } from "./flat-line.ts";

/**
 * The timestamps `detect` accepts: any from the epoch to the end of year 9999. Offline chat
 * may be old or synthetic (a corpus starting at 1970-01-01 is common), and nothing here is
 * stored in PostgreSQL or compared with a clock. Not before the epoch: the detectors' rings
 * mark an empty slot with second -1.
 */
export const OFFLINE_WINDOW: TimestampWindow = {
  earliestMs: 0,
  latestMs: Date.parse("9999-12-31T23:59:59.999Z"),
};

/**
 * What a timestamp given as a number counts: `auto` reads epoch seconds below 1e11 (until
 * the year 5138) and epoch milliseconds above; `s` and `ms` say which, for numbers the rule
 * reads wrongly (milliseconds from a stream's start are small numbers, not seconds).
 */
export const TIME_UNITS = ["auto", "s", "ms"] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/**
 * Timestamps as other tools write them, in the contract's form: a date and time without an
 * offset (Python's naive `isoformat()`, read as UTC), with a space for the `T`, an offset
 * without its colon; or a number, read as `unit` says. Undefined for anything else.
 */
const LOOSE_ISO =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
function contractTimestamp(given: unknown, unit: TimeUnit): string | undefined {
  if (typeof given === "number") {
    if (!Number.isFinite(given)) return undefined;
    const seconds = unit === "s" || (unit === "auto" && Math.abs(given) < 1e11);
    const ms = Math.round(seconds ? given * 1000 : given);
    return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
  }
  if (typeof given !== "string") return undefined;
  const m = LOOSE_ISO.exec(given.trim());
  if (!m) return undefined;
  const [, date, minutes, seconds = ":00", zone] = m;
  return `${date}T${minutes}${seconds}${offsetOf(zone)}`;
}

/** `Z`, `+01`, `+0100` or `+01:00` as the contract writes it. */
function offsetOf(zone: string | undefined): string {
  if (zone === undefined || zone.toUpperCase() === "Z") return "Z";
  const digits = zone.slice(1).replace(":", "");
  return `${zone.slice(0, 1)}${digits.slice(0, 2)}:${digits.slice(2) || "00"}`;
}

/** The contract's fields: the only ones `parseOffline` writes again. */
const CONTRACT_FIELDS = ["emote", "timestamp", "streamerId", "id"] as const;

/**
 * The contract's parse, and offline the forms exported chat writes: an emote as a plain
 * name, read and printed as written (on the topics a named emote is `:name:`, so that a
 * word is never taken for one), and timestamps in the forms `contractTimestamp` reads. The
 * other fields are checked as the contract checks them.
 */
function parseOffline(bytes: Buffer, json: unknown, window: TimestampWindow, unit: TimeUnit): ParseResult {
  const parsed = parseRawEmote(bytes, window);
  if (parsed.ok || (parsed.reason !== "invalid_emote" && parsed.reason !== "invalid_timestamp"))
    return parsed;
  if (typeof json !== "object" || json === null) return parsed;
  // Only the contract's fields: what the contract ignores need not be written again (and
  // the line's size was judged once, as it came).
  const given = json as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of CONTRACT_FIELDS) if (Object.hasOwn(given, key)) fields[key] = given[key];
  const name = typeof fields.emote === "string" && PLAIN_NAME.test(fields.emote) ? fields.emote : undefined;
  if (name !== undefined) fields.emote = `:${name}:`;
  const timestamp = contractTimestamp(fields.timestamp, unit);
  if (timestamp !== undefined) fields.timestamp = timestamp;
  if (name === undefined && timestamp === undefined) return parsed;
  const again = parseRawEmote(Buffer.from(JSON.stringify(fields)), window);
  return again.ok && name !== undefined ? { ok: true, value: { ...again.value, emote: name } } : again;
}

export type LineResult = { ok: true; record: DetectorRecord } | { ok: false; error: string };

/**
 * One `raw-emote-data` value with an optional `viewer` field, the line `buf[start, end)`
 * (UTF-8, no line break); never throws. Read in place when it can be (fast-line.ts,
 * flat-line.ts), else by the full parser. An emote may be a plain name and a timestamp in
 * other common forms (see `parseOffline`). A viewer given as a whole number is read as its
 * decimal string (numeric user ids); `null` or `""` is a record without a viewer, as an
 * anonymous record is: skipping it would lose an emote.
 */
export function parseEmoteAt(
  buf: Uint8Array,
  start: number,
  end: number,
  window: TimestampWindow = OFFLINE_WINDOW,
  unit: TimeUnit = "auto",
): LineResult {
  // The in-place readers take the contract's timestamps only (never a number).
  const record = parseFastAt(buf, start, end, window) ?? parseFlatAt(buf, start, end, window);
  return record ? { ok: true, record } : parseFullLine(buf.subarray(start, end), window, unit);
}

/** `parseEmoteAt` for a line as a string. */
export function parseEmoteLine(
  line: string,
  window: TimestampWindow = OFFLINE_WINDOW,
  unit: TimeUnit = "auto",
): LineResult {
  const bytes = Buffer.from(line, "utf8");
  return parseEmoteAt(bytes, 0, bytes.length, window, unit);
}

/**
 * The full parser alone (`JSON.parse`, then the contract's schema): the judge of the fast
 * paths. The size limit applies to the line's bytes as they came, as it does there.
 */
export function parseFullLine(
  line: string | Uint8Array,
  window: TimestampWindow = OFFLINE_WINDOW,
  unit: TimeUnit = "auto",
): LineResult {
  const bytes =
    typeof line === "string"
      ? Buffer.from(line, "utf8")
      : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const parsed = parseOffline(bytes, json, window, unit);
  if (!parsed.ok) return { ok: false, error: parsed.detail };
  if (typeof json !== "object" || json === null || !("viewer" in json))
    return { ok: true, record: parsed.value };
  const given = json.viewer;
  if (given === null || given === "") return { ok: true, record: parsed.value };
  const v = viewerSchema.safeParse(Number.isSafeInteger(given) ? String(given) : given);
  if (!v.success) return { ok: false, error: `invalid viewer: ${v.error.issues[0]?.message ?? "invalid"}` };
  return { ok: true, record: { ...parsed.value, viewer: v.data } };
}
