import type { SurgeSettings } from "@emote/contracts";

export { DEFAULT_SURGE_SETTINGS, surgeSettingsSchema, type SurgeSettings } from "@emote/contracts";

/** Score bars derived from the sensitivity: onset above `onset` (every test alike); over when below `end`. */
export interface SurgeThresholds {
  onset: number;
  end: number;
}

/**
 * Sensitivity 0.5 puts the onset bar at 5 (a signed-root deviance, roughly a z-score):
 * chance alone crosses it about once in a few million tests. (A number, not an object:
 * it is asked for on every record.)
 */
export function onsetBar(settings: SurgeSettings): number {
  return 7 - 4 * settings.sensitivity;
}

export function surgeThresholds(settings: SurgeSettings): SurgeThresholds {
  const onset = onsetBar(settings);
  return { onset, end: onset * 0.4 };
}
