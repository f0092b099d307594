import { z } from "zod";
import type { DlqReason } from "./dlq.ts";
import { emoteSchema, isEmote } from "./emote.ts";
import { isStorableId, UNFIT_ID_MESSAGE } from "./storable-text.ts";
import { DEFAULT_STREAMER_ID, isStreamerId, streamerIdSchema } from "./streamer-id.ts";

/**
 * Kafka header of a `raw-emote-data` record naming its viewer (a pseudonymous id, at most
 * VIEWER_HEADER_MAX characters): detectors count distinct viewers by it. Optional: records
 * without one still count, each as a viewer of its own.
 */
export const VIEWER_HEADER = "viewer";
export const VIEWER_HEADER_MAX = 128;

/** Larger messages are rejected before parsing so one bad producer cannot stall a worker. */
export const MAX_RAW_MESSAGE_BYTES = 64 * 1024;
const ID_MAX = 128;

/**
 * One emote on `raw-emote-data`. `streamerId` and `id` are optional so the
 * original two-field form `{emote, timestamp}` is still accepted; unknown fields are ignored.
 */
export const rawEmoteSchema = z.object({
  emote: emoteSchema,
  timestamp: z.iso.datetime({ offset: true }),
  streamerId: streamerIdSchema.optional(),
  id: z.string().max(ID_MAX).refine(isStorableId, UNFIT_ID_MESSAGE).optional(),
});

/**
 * The timestamps accepted, epoch milliseconds inclusive. An ISO string can say year 0000
 * or 9999: PostgreSQL's timestamp cannot hold the one, and the other would sit at the top
 * of every history and stop a stream's live window stats.
 */
export interface TimestampWindow {
  earliestMs: number;
  latestMs: number;
}

export const DEFAULT_TIMESTAMP_EARLIEST = "2000-01-01T00:00:00Z";
/** Producers' clocks run ahead; a day is more than any clock skew. */
export const DEFAULT_TIMESTAMP_MAX_AHEAD_MS = 24 * 60 * 60 * 1000;

/** The window at `nowMs`: from `earliestMs` to `maxAheadMs` past now. */
export function timestampWindow(
  opts: { earliestMs: number; maxAheadMs: number } = {
    earliestMs: Date.parse(DEFAULT_TIMESTAMP_EARLIEST),
    maxAheadMs: DEFAULT_TIMESTAMP_MAX_AHEAD_MS,
  },
  nowMs: number = Date.now(),
): TimestampWindow {
  return { earliestMs: opts.earliestMs, latestMs: nowMs + opts.maxAheadMs };
}

/** A validated emote, normalised: streamer filled in, timestamp as epoch milliseconds. */
export interface RawEmote {
  emote: string;
  timestampMs: number;
  streamerId: string;
  id?: string;
}

/** A refusal: its typed reason, and the detail (sizes, the schema's message) for the DLQ header. */
export type ParseResult = { ok: true; value: RawEmote } | { ok: false; reason: DlqReason; detail: string };

/**
 * Timestamps the schema has accepted, with their epoch milliseconds. Chat repeats
 * timestamps (bursts, busy seconds), and the ISO check is the schema's costliest part;
 * bounded so a stream of distinct timestamps cannot grow it.
 */
const acceptedTimestamps = new Map<string, number>();
const ACCEPTED_TIMESTAMPS_MAX = 4_096;

/**
 * The schema's checks, for messages whose timestamp it has already accepted. Returns
 * undefined whenever it is not certain, and the caller then asks the schema itself, so
 * it never accepts what the schema would reject (pinned by a test).
 */
function knownGood(json: unknown): RawEmote | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const { emote, timestamp, streamerId, id } = json as Record<string, unknown>;
  if (typeof timestamp !== "string") return undefined;
  const timestampMs = acceptedTimestamps.get(timestamp);
  if (timestampMs === undefined) return undefined;
  if (typeof emote !== "string" || !isEmote(emote)) return undefined;
  if (streamerId !== undefined && (typeof streamerId !== "string" || !isStreamerId(streamerId))) {
    return undefined;
  }
  if (id !== undefined && (typeof id !== "string" || id.length > ID_MAX || !isStorableId(id)))
    return undefined;
  const value: RawEmote = { emote, timestampMs, streamerId: streamerId ?? DEFAULT_STREAMER_ID };
  if (id !== undefined) value.id = id;
  return value;
}

/**
 * The messages producers write (this project's generator and the original two-field
 * form), with no escapes or control characters in their strings: for those a regular
 * expression yields the same object as JSON.parse at half the cost. Anything else goes
 * to JSON.parse.
 */
// Control characters are excluded on purpose: JSON forbids them raw inside strings.
const CANONICAL =
  // eslint-disable-next-line no-control-regex
  /^\{"emote":"([^"\\\u0000-\u001f]*)","timestamp":"([^"\\\u0000-\u001f]*)"(?:,"streamerId":"([^"\\\u0000-\u001f]*)")?(?:,"id":"([^"\\\u0000-\u001f]*)")?\}$/;

function decodeJson(text: string): unknown {
  const m = CANONICAL.exec(text);
  if (!m) return JSON.parse(text);
  const fields: Record<string, string | undefined> = { emote: m[1], timestamp: m[2] };
  if (m[3] !== undefined) fields.streamerId = m[3];
  if (m[4] !== undefined) fields.id = m[4];
  return fields;
}

const FIELD_REASONS = new Map<PropertyKey | undefined, DlqReason>([
  ["emote", "invalid_emote"],
  ["timestamp", "invalid_timestamp"],
  ["streamerId", "invalid_streamer_id"],
  ["id", "invalid_id"],
]);

/** An instant for a message; never throws (an ISO string can parse to no instant at all). */
function isoOrNot(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * Decodes and validates one message value; never throws. `window` bounds the timestamp
 * (default: the contract's window at this moment); both paths (shortcut and schema) end
 * in the same window check.
 */
export function parseRawEmote(
  bytes: Uint8Array | null | undefined,
  window: TimestampWindow = timestampWindow(),
): ParseResult {
  if (!bytes || bytes.length === 0) return { ok: false, reason: "empty", detail: "empty message" };
  if (bytes.length > MAX_RAW_MESSAGE_BYTES) {
    const detail = `message is ${bytes.length} bytes, over the ${MAX_RAW_MESSAGE_BYTES} limit`;
    return { ok: false, reason: "too_large", detail };
  }
  let json: unknown;
  try {
    json = decodeJson(Buffer.isBuffer(bytes) ? bytes.toString("utf8") : new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: "not_json", detail: "not JSON" };
  }
  const value = knownGood(json) ?? validated(json);
  if ("reason" in value) return value;
  if (!(value.timestampMs >= window.earliestMs && value.timestampMs <= window.latestMs)) {
    const detail = `timestamp ${isoOrNot(value.timestampMs)} is outside ${isoOrNot(window.earliestMs)} … ${isoOrNot(window.latestMs)}`;
    return { ok: false, reason: "timestamp_out_of_range", detail };
  }
  return { ok: true, value };
}

function validated(json: unknown): RawEmote | (ParseResult & { ok: false }) {
  const parsed = rawEmoteSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join(".") : "message";
    const reason = FIELD_REASONS.get(issue?.path[0]) ?? "invalid";
    return { ok: false, reason, detail: `invalid ${field}: ${issue?.message ?? "invalid"}` };
  }
  const { emote, timestamp, streamerId, id } = parsed.data;
  const timestampMs = Date.parse(timestamp);
  if (acceptedTimestamps.size >= ACCEPTED_TIMESTAMPS_MAX) acceptedTimestamps.clear();
  acceptedTimestamps.set(timestamp, timestampMs);
  const value: RawEmote = { emote, timestampMs, streamerId: streamerId ?? DEFAULT_STREAMER_ID };
  if (id !== undefined) value.id = id;
  return value;
}

export function encodeRawEmote(e: {
  emote: string;
  timestamp: string;
  streamerId?: string;
  id?: string;
}): string {
  return JSON.stringify(e);
}
