import { z } from "zod";

/**
 * A streamer's surge settings. One sensitivity knob maps to the score thresholds (see
 * `surgeThresholds`); the rest are plain bounds a moderator can reason about.
 */
export const surgeSettingsSchema = z.strictObject({
  /** 0 = only the strongest surges, 1 = the faintest; 0.5 is the default. */
  sensitivity: z.number().min(0, "sensitivity must be at least 0").max(1, "sensitivity must be at most 1"),
  /** A surge needs this many distinct viewers in its window (records without a viewer count one each). */
  minViewers: z.number().int("minViewers must be an integer").min(1).max(1_000),
  /** After a surge of an emote ends, no new surge of that emote starts for this long (event time). */
  cooldownMs: z.number().int("cooldownMs must be an integer").min(0).max(3_600_000),
});
export type SurgeSettings = z.infer<typeof surgeSettingsSchema>;

export const DEFAULT_SURGE_SETTINGS: SurgeSettings = { sensitivity: 0.5, minViewers: 3, cooldownMs: 20_000 };

/** Score bars derived from the sensitivity: onset above `onset`, over when below `end`. */
export interface SurgeThresholds {
  onset: number;
  end: number;
}

export function surgeThresholds(settings: SurgeSettings): SurgeThresholds {
  // Sensitivity 0.5 puts the onset bar at 5 (a signed-root deviance, roughly a z-score):
  // chance alone crosses it about once in a few million tests.
  const onset = 7 - 4 * settings.sensitivity;
  return { onset, end: onset * 0.4 };
}
