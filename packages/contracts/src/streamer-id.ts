import { z } from "zod";

/**
 * What a streamer id is: 1 to 64 of `A–Z a–z 0–9 _ . -`, starting with a letter or digit.
 * Ids go into URLs, logs, Kafka keys and file names: a leading dot or dash (`..`, `-rf`)
 * and anything outside ASCII are refused.
 */
export const STREAMER_ID_MAX = 64;
export const STREAMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The streamer that the original two-field messages belong to; exists from the start. */
export const DEFAULT_STREAMER_ID = "default";

export function isStreamerId(s: string): boolean {
  return STREAMER_ID_PATTERN.test(s);
}

export const STREAMER_ID_MESSAGE =
  "A streamer id is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit";

export const streamerIdSchema = z
  .string({ error: STREAMER_ID_MESSAGE })
  .regex(STREAMER_ID_PATTERN, STREAMER_ID_MESSAGE);
