import { parseRawEmote, type ParseResult, type TimestampWindow } from "@emote/contracts";
import { z } from "zod";
import type { DetectorRecord } from "../detectors/detector-types.ts";
import { parseFastAt, PLAIN_NAME, VIEWER_MAX } from "./fast-line.ts";

const viewerSchema = z
  .string()
  .min(1, "viewer must not be empty")
  .max(VIEWER_MAX, `viewer is at most ${VIEWER_MAX} characters`);

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
 * The contract's parse, and offline one more form: an emote written as a plain name is read
 * as written (its other fields checked as for `:name:`). On the topics a named emote is
 * written `:name:` so that a word is never taken for one; exported chat writes names bare.
 */
function parseOffline(bytes: Buffer, json: unknown, window: TimestampWindow): ParseResult {
  const parsed = parseRawEmote(bytes, window);
  if (parsed.ok || parsed.reason !== "invalid_emote") return parsed;
  if (typeof json !== "object" || json === null || !("emote" in json)) return parsed;
  const name = json.emote;
  if (typeof name !== "string" || !PLAIN_NAME.test(name)) return parsed;
  const named = parseRawEmote(Buffer.from(JSON.stringify({ ...json, emote: `:${name}:` })), window);
  return named.ok ? { ok: true, value: { ...named.value, emote: name } } : named;
}

export type LineResult = { ok: true; record: DetectorRecord } | { ok: false; error: string };

/**
 * One `raw-emote-data` value with an optional `viewer` field; never throws. An emote may be
 * a plain name (see `parseOffline`). A viewer given
 * as a whole number is read as its decimal string (numeric user ids); `null` or `""` is a
 * record without a viewer, as an anonymous record is: skipping it would lose an emote.
 */
export function parseEmoteLine(line: string, window: TimestampWindow = OFFLINE_WINDOW): LineResult {
  const bytes = Buffer.from(line, "utf8");
  const fast = parseFastAt(bytes, 0, bytes.length, window);
  if (fast) return { ok: true, record: fast };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const parsed = parseOffline(bytes, json, window);
  if (!parsed.ok) return { ok: false, error: parsed.detail };
  if (typeof json !== "object" || json === null || !("viewer" in json))
    return { ok: true, record: parsed.value };
  const given = json.viewer;
  if (given === null || given === "") return { ok: true, record: parsed.value };
  const v = viewerSchema.safeParse(Number.isSafeInteger(given) ? String(given) : given);
  if (!v.success) return { ok: false, error: `invalid viewer: ${v.error.issues[0]?.message ?? "invalid"}` };
  return { ok: true, record: { ...parsed.value, viewer: v.data } };
}
