import { z } from "zod";
import { DEFAULT_STREAMER_ID, STREAMER_ID_MAX, STREAMER_ID_PATTERN, streamerIdSchema } from "./settings.ts";

/** Larger messages are rejected before parsing so one bad producer cannot stall a worker. */
export const MAX_RAW_MESSAGE_BYTES = 64 * 1024;
const EMOTE_MAX = 64;
const ID_MAX = 128;

/**
 * One emote on `raw-emote-data`. `streamerId` and `id` are optional so the
 * original two-field form `{emote, timestamp}` is still accepted; unknown fields are ignored.
 */
export const rawEmoteSchema = z.object({
  emote: z.string().min(1).max(EMOTE_MAX),
  timestamp: z.iso.datetime({ offset: true }),
  streamerId: streamerIdSchema.optional(),
  id: z.string().max(ID_MAX).optional(),
});

/** A validated emote, normalised: streamer filled in, timestamp as epoch milliseconds. */
export interface RawEmote {
  emote: string;
  timestampMs: number;
  streamerId: string;
  id?: string;
}

export type ParseResult = { ok: true; value: RawEmote } | { ok: false; reason: string };

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
  if (typeof emote !== "string" || emote.length < 1 || emote.length > EMOTE_MAX) return undefined;
  if (
    streamerId !== undefined &&
    (typeof streamerId !== "string" ||
      streamerId.length < 1 ||
      streamerId.length > STREAMER_ID_MAX ||
      !STREAMER_ID_PATTERN.test(streamerId))
  ) {
    return undefined;
  }
  if (id !== undefined && (typeof id !== "string" || id.length > ID_MAX)) return undefined;
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

/** Decodes and validates one message value; never throws. */
export function parseRawEmote(bytes: Uint8Array | null | undefined): ParseResult {
  if (!bytes || bytes.length === 0) return { ok: false, reason: "empty message" };
  if (bytes.length > MAX_RAW_MESSAGE_BYTES) {
    return { ok: false, reason: `message is ${bytes.length} bytes, over the ${MAX_RAW_MESSAGE_BYTES} limit` };
  }
  let json: unknown;
  try {
    json = decodeJson(Buffer.isBuffer(bytes) ? bytes.toString("utf8") : new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const known = knownGood(json);
  if (known) return { ok: true, value: known };

  const parsed = rawEmoteSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join(".") : "message";
    return { ok: false, reason: `invalid ${field}: ${issue?.message ?? "invalid"}` };
  }
  const { emote, timestamp, streamerId, id } = parsed.data;
  const timestampMs = Date.parse(timestamp);
  if (acceptedTimestamps.size >= ACCEPTED_TIMESTAMPS_MAX) acceptedTimestamps.clear();
  acceptedTimestamps.set(timestamp, timestampMs);
  const value: RawEmote = { emote, timestampMs, streamerId: streamerId ?? DEFAULT_STREAMER_ID };
  if (id !== undefined) value.id = id;
  return { ok: true, value };
}

export function encodeRawEmote(e: {
  emote: string;
  timestamp: string;
  streamerId?: string;
  id?: string;
}): string {
  return JSON.stringify(e);
}
