import type { SurgeSettings } from "@emote/contracts";

export { DEFAULT_SURGE_SETTINGS, surgeSettingsSchema, type SurgeSettings } from "@emote/contracts";

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
