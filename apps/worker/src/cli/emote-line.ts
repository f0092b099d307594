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
 * optional trailing `viewer`). For it, the contract's schema is asked once per distinct
 * emote and streamer and once per distinct second, and the answers are cached: the
 * schema stays the only judge, at a fraction of its cost per line. Anything else is
 * parsed in full by the contract's own parser.
 */
const FAST =
  // Control characters are excluded on purpose: JSON forbids them raw inside strings.
  // eslint-disable-next-line no-control-regex
  /^\{"emote":"([^"\\\u0000-\u001f]+)","timestamp":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z","streamerId":"([^"\\\u0000-\u001f]+)"(?:,"viewer":"([^"\\\u0000-\u001f]*)")?\}$/;
const CACHE_MAX = 4_096;
/** Emotes and streamer ids the schema accepted (it judges each field on its own). */
const emotesOk = new Set<string>();
const streamersOk = new Set<string>();
/** Seconds (`YYYY-MM-DDTHH:MM:SS`) the schema accepted, with their epoch milliseconds. */
const secondsOk = new Map<string, number>();
let lastSecond = "";
let lastSecondMs = 0;

export type LineResult = { ok: true; record: DetectorRecord } | { ok: false; error: string };

function remember<T>(cache: Set<T> | Map<T, unknown>, add: () => void): void {
  if (cache.size >= CACHE_MAX) cache.clear();
  add();
}

function fastPath(line: string, window: TimestampWindow): LineResult | undefined {
  const m = FAST.exec(line);
  if (!m) return undefined;
  const [, emote = "", second = "", millis = "", streamerId = "", viewer] = m;
  if (!emotesOk.has(emote)) {
    if (!rawEmoteSchema.shape.emote.safeParse(emote).success) return undefined;
    remember(emotesOk, () => emotesOk.add(emote));
  }
  if (!streamersOk.has(streamerId)) {
    if (!rawEmoteSchema.shape.streamerId.safeParse(streamerId).success) return undefined;
    remember(streamersOk, () => streamersOk.add(streamerId));
  }
  // Lines come in time order: most share the previous line's second.
  let secondMs = second === lastSecond ? lastSecondMs : secondsOk.get(second);
  if (secondMs === undefined) {
    const timestamp = `${second}.000Z`;
    // The timestamp's own schema: a probe emote would tie this cache to what counts as an emote.
    if (!rawEmoteSchema.shape.timestamp.safeParse(timestamp).success) return undefined;
    const ms = Date.parse(timestamp);
    secondMs = ms;
    remember(secondsOk, () => secondsOk.set(second, ms));
  }
  lastSecond = second;
  lastSecondMs = secondMs;
  const timestampMs = secondMs + Number(millis);
  if (!(timestampMs >= window.earliestMs && timestampMs <= window.latestMs)) return undefined;
  if (viewer === undefined) return { ok: true, record: { emote, timestampMs, streamerId } };
  if (viewer.length === 0 || viewer.length > VIEWER_MAX) return undefined;
  return { ok: true, record: { emote, timestampMs, streamerId, viewer } };
}

/** One `raw-emote-data` value with an optional `viewer` field; never throws. */
export function parseEmoteLine(line: string, window: TimestampWindow = timestampWindow()): LineResult {
  const fast = fastPath(line, window);
  if (fast) return fast;
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
