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

/** The detectors a streamer's emotes can run through (docs/detectors.md). */
export const DETECTOR_KINDS = ["threshold", "surge"] as const;
export const detectorKindSchema = z.enum(DETECTOR_KINDS, {
  error: `A detector is one of ${DETECTOR_KINDS.join(", ")}`,
});
export type DetectorKind = z.infer<typeof detectorKindSchema>;

const DETECTORS_MESSAGE = `Detectors must be a list of 1 to ${DETECTOR_KINDS.length} of ${DETECTOR_KINDS.join(", ")}, each once`;
const SENSITIVITY_MESSAGE =
  "Surge sensitivity must be from 0 (only the strongest surges) to 1 (the faintest)";
const MIN_VIEWERS_MESSAGE = "Surge minimum viewers must be a whole number from 1 to 1,000";
const COOLDOWN_MESSAGE =
  "Surge cooldown must be a whole number of milliseconds from 0 to 3,600,000 (one hour)";

/**
 * The surge detector's knobs. One sensitivity maps to its score bars; the rest are plain
 * bounds a moderator can reason about.
 */
export const surgeSettingsSchema = z.strictObject({
  /** 0 = only the strongest surges, 1 = the faintest; 0.5 is the default. */
  sensitivity: z
    .number({ error: SENSITIVITY_MESSAGE })
    .min(0, SENSITIVITY_MESSAGE)
    .max(1, SENSITIVITY_MESSAGE),
  /** A surge needs this many distinct viewers in its window (records without a viewer count one each). */
  minViewers: z
    .number({ error: MIN_VIEWERS_MESSAGE })
    .int(MIN_VIEWERS_MESSAGE)
    .min(1, MIN_VIEWERS_MESSAGE)
    .max(1_000, MIN_VIEWERS_MESSAGE),
  /** After a surge of an emote ends, no new surge of that emote starts for this long (event time). */
  cooldownMs: z
    .number({ error: COOLDOWN_MESSAGE })
    .int(COOLDOWN_MESSAGE)
    .min(0, COOLDOWN_MESSAGE)
    .max(3_600_000, COOLDOWN_MESSAGE),
});
export type SurgeSettings = z.infer<typeof surgeSettingsSchema>;

export const DEFAULT_SURGE_SETTINGS: SurgeSettings = { sensitivity: 0.5, minViewers: 3, cooldownMs: 20_000 };

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
  /** Which detectors run for the streamer; both by default (an A/B of the two). */
  detectors: z
    .array(detectorKindSchema, { error: DETECTORS_MESSAGE })
    .min(1, DETECTORS_MESSAGE)
    .max(DETECTOR_KINDS.length, DETECTORS_MESSAGE)
    .refine((list) => new Set(list).size === list.length, DETECTORS_MESSAGE),
  surge: surgeSettingsSchema,
});
export type AnalysisSettings = z.infer<typeof analysisSettingsSchema>;

export const DEFAULT_SETTINGS: AnalysisSettings = {
  interval: 30,
  threshold: 0.3,
  allowedEmotes: [...DEFAULT_EMOTES],
  detectors: [...DETECTOR_KINDS],
  surge: DEFAULT_SURGE_SETTINGS,
};
