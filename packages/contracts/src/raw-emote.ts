import { z } from "zod";
import { DEFAULT_STREAMER_ID, streamerIdSchema } from "./settings.ts";

/** Larger messages are rejected before parsing so one bad producer cannot stall a worker. */
export const MAX_RAW_MESSAGE_BYTES = 64 * 1024;

/**
 * One emote on `raw-emote-data`. `streamerId` and `id` are optional so the
 * original two-field form `{emote, timestamp}` is still accepted; unknown fields are ignored.
 */
export const rawEmoteSchema = z.object({
  emote: z.string().min(1).max(64),
  timestamp: z.iso.datetime({ offset: true }),
  streamerId: streamerIdSchema.optional(),
  id: z.string().max(128).optional(),
});
export type RawEmoteInput = z.input<typeof rawEmoteSchema>;

/** A validated emote, normalised: streamer filled in, timestamp as epoch milliseconds. */
export interface RawEmote {
  emote: string;
  timestampMs: number;
  streamerId: string;
  id?: string;
}

export type ParseResult = { ok: true; value: RawEmote } | { ok: false; reason: string };

/** Decodes and validates one message value; never throws. */
export function parseRawEmote(bytes: Uint8Array | null | undefined): ParseResult {
  if (!bytes || bytes.length === 0) return { ok: false, reason: "empty message" };
  if (bytes.length > MAX_RAW_MESSAGE_BYTES) {
    return { ok: false, reason: `message is ${bytes.length} bytes, over the ${MAX_RAW_MESSAGE_BYTES} limit` };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"));
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = rawEmoteSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join(".") : "message";
    return { ok: false, reason: `invalid ${field}: ${issue?.message ?? "invalid"}` };
  }
  const { emote, timestamp, streamerId, id } = parsed.data;
  const value: RawEmote = {
    emote,
    timestampMs: Date.parse(timestamp),
    streamerId: streamerId ?? DEFAULT_STREAMER_ID,
  };
  if (id !== undefined) value.id = id;
  return { ok: true, value };
}

export function encodeRawEmote(e: { emote: string; timestamp: string; streamerId?: string; id?: string }): string {
  return JSON.stringify(e);
}
