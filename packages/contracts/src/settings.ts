import { z } from "zod";
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from "./storable-text.ts";

/** The eight emotes of the original system, in its order. */
export const DEFAULT_EMOTES = ["😀", "😡", "😢", "😮", "❤️", "👍", "👎", "🔥"] as const;

export const STREAMER_ID_MAX = 64;
export const STREAMER_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

export const streamerIdSchema = z
  .string()
  .min(1, "streamerId must not be empty")
  .max(STREAMER_ID_MAX, `streamerId must be at most ${STREAMER_ID_MAX} characters`)
  .regex(STREAMER_ID_PATTERN, "streamerId may contain only letters, digits, '_', '.' and '-'");

const emoteSchema = z
  .string()
  .min(1, "an emote must not be empty")
  .refine((e) => [...e].length <= 16, "an emote is at most 16 code points")
  .refine(isStorableText, `an emote ${UNSTORABLE_TEXT_MESSAGE}`);

export const analysisSettingsSchema = z.object({
  interval: z.number().int("interval must be an integer").min(1).max(10_000),
  threshold: z.number().gt(0, "threshold must be above 0").lt(1, "threshold must be below 1"),
  allowedEmotes: z
    .array(emoteSchema)
    .min(1, "allowedEmotes needs at least one emote")
    .max(64, "allowedEmotes holds at most 64 emotes")
    // Compared in NFC: "é" typed precomposed and decomposed look the same to a moderator.
    .refine(
      (list) => new Set(list.map((e) => e.normalize("NFC"))).size === list.length,
      "allowedEmotes must be distinct (compared in Unicode NFC)",
    ),
});
export type AnalysisSettings = z.infer<typeof analysisSettingsSchema>;

export const DEFAULT_SETTINGS: AnalysisSettings = {
  interval: 30,
  threshold: 0.3,
  allowedEmotes: [...DEFAULT_EMOTES],
};

/** Streamer that the original two-field messages belong to. */
export const DEFAULT_STREAMER_ID = "default";
