import { z } from "zod";
import { emoteSchema } from "./emote.ts";

/** The eight emotes of the original system, in its order. */
export const DEFAULT_EMOTES = ["😀", "😡", "😢", "😮", "❤️", "👍", "👎", "🔥"] as const;

export const INTERVAL_MIN = 1;
export const INTERVAL_MAX = 10_000;
export const ALLOWED_EMOTES_MAX = 64;

/**
 * Each field has one message, whatever is wrong with it (missing, null, a string, out of
 * range): the rule, in the words a streamer reads beside the field.
 */
const INTERVAL_MESSAGE = `Interval must be a whole number of emotes from ${INTERVAL_MIN} to ${INTERVAL_MAX.toLocaleString("en-US")}`;
const THRESHOLD_MESSAGE = "Threshold must be a share above 0 and below 1 (0.3 is 30% of the emotes)";
const ALLOWED_EMOTES_MESSAGE = `Allowed emotes must be a list of 1 to ${ALLOWED_EMOTES_MAX} emotes`;

export const analysisSettingsSchema = z.object({
  interval: z
    .number({ error: INTERVAL_MESSAGE })
    .int(INTERVAL_MESSAGE)
    .min(INTERVAL_MIN, INTERVAL_MESSAGE)
    .max(INTERVAL_MAX, INTERVAL_MESSAGE),
  threshold: z.number({ error: THRESHOLD_MESSAGE }).gt(0, THRESHOLD_MESSAGE).lt(1, THRESHOLD_MESSAGE),
  allowedEmotes: z
    .array(emoteSchema, { error: ALLOWED_EMOTES_MESSAGE })
    .min(1, ALLOWED_EMOTES_MESSAGE)
    .max(ALLOWED_EMOTES_MAX, ALLOWED_EMOTES_MESSAGE)
    // Compared in NFC: the same emoji typed two ways looks the same to a moderator.
    .refine(
      (list) => new Set(list.map((e) => e.normalize("NFC"))).size === list.length,
      "Allowed emotes must not list the same emote twice",
    ),
});
export type AnalysisSettings = z.infer<typeof analysisSettingsSchema>;

export const DEFAULT_SETTINGS: AnalysisSettings = {
  interval: 30,
  threshold: 0.3,
  allowedEmotes: [...DEFAULT_EMOTES],
};
