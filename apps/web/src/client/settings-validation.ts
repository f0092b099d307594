import {
  analysisSettingsSchema,
  surgeSettingsSchema,
  type AnalysisSettings,
  type SurgeSettings,
} from "@emote/contracts";

export type SettingsField = keyof AnalysisSettings;

const { interval, threshold } = analysisSettingsSchema.shape;
const count = new Intl.NumberFormat("en");

/** The numbers' bounds, read from the schema (the form's inputs and its sentences use them). */
export const SETTINGS_BOUNDS = {
  interval: { min: interval.minValue ?? 1, max: interval.maxValue ?? Number.MAX_SAFE_INTEGER },
  threshold: { min: threshold.minValue ?? 0, max: threshold.maxValue ?? 1 },
} as const;

/** What each field takes, in a streamer's words. */
export const SETTINGS_RULES: Record<SettingsField, string> = {
  interval: `a whole number from ${count.format(SETTINGS_BOUNDS.interval.min)} to ${count.format(SETTINGS_BOUNDS.interval.max)}`,
  threshold: `a number above ${SETTINGS_BOUNDS.threshold.min} and below ${SETTINGS_BOUNDS.threshold.max}, like 0.3 for 30%`,
  allowedEmotes: "at least one emote, separated by spaces",
  detectors: "one or both of threshold (the original rule) and surge (highlights)",
  surge: "a sensitivity from 0 to 1, a minimum of viewers and a cooldown",
};

export const SETTINGS_LABELS: Record<SettingsField, string> = {
  interval: "Interval",
  threshold: "Threshold",
  allowedEmotes: "Allowed emotes",
  detectors: "Detectors",
  surge: "Surge detector",
};

/**
 * The field's sentence from the schema (the one the server answers with), for a value
 * zod would otherwise refuse in its own developer's words.
 */
export function plainSettingsMessage(field: SettingsField): string {
  const refused = analysisSettingsSchema.shape[field].safeParse(null);
  return refused.error?.issues[0]?.message ?? `${SETTINGS_LABELS[field]} is not valid`;
}

// zod's own messages ("Too small: expected number to be >=1", "Invalid input: expected
// number, received null") as they reach the client in a BAD_REQUEST's field errors.
const ZOD_DEFAULT = /^(Too (big|small)|Invalid|Unrecognized)/;

/** A field's message from the server, in plain words if it came in zod's own. */
export function serverSettingsMessage(field: SettingsField, message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  return ZOD_DEFAULT.test(message) ? plainSettingsMessage(field) : message;
}

/**
 * Checks a field before it is sent, with the same schema the server uses: its own messages
 * read exactly as the server's would; where it has none, the field's plain sentence.
 */
export function checkSettingsField<F extends SettingsField>(
  field: F,
  value: AnalysisSettings[F] | number,
): string | undefined {
  const result = analysisSettingsSchema.shape[field].safeParse(value, {
    error: () => plainSettingsMessage(field),
  });
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** The surge detector's knobs the form edits one by one. */
export type SurgeKnob = keyof SurgeSettings;

const surgeShape = surgeSettingsSchema.shape;

export const SURGE_BOUNDS = {
  sensitivity: { min: surgeShape.sensitivity.minValue ?? 0, max: surgeShape.sensitivity.maxValue ?? 1 },
  minViewers: { min: surgeShape.minViewers.minValue ?? 1, max: surgeShape.minViewers.maxValue ?? 1_000 },
  cooldownMs: { min: surgeShape.cooldownMs.minValue ?? 0, max: surgeShape.cooldownMs.maxValue ?? 3_600_000 },
} as const;

export const SURGE_LABELS: Record<SurgeKnob, string> = {
  sensitivity: "Surge sensitivity",
  minViewers: "Surge minimum viewers",
  cooldownMs: "Surge cooldown (ms)",
};

/** Checks one surge knob with the schema the server uses; its message, or undefined when fine. */
export function checkSurgeKnob(knob: SurgeKnob, value: number): string | undefined {
  return surgeShape[knob].safeParse(value).error?.issues[0]?.message;
}
