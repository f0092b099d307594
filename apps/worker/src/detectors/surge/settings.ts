import type { SurgeSettings } from "@emote/contracts";

export { DEFAULT_SURGE_SETTINGS, surgeSettingsSchema, type SurgeSettings } from "@emote/contracts";

/**
 * Score bars derived from the sensitivity: onset above `onset` (the count test) or above
 * `fresh` (the fresh-viewer test); over when below `end`.
 */
export interface SurgeThresholds {
  onset: number;
  fresh: number;
  end: number;
}

export function surgeThresholds(settings: SurgeSettings): SurgeThresholds {
  // Sensitivity 0.5 puts the onset bar at 5 (a signed-root deviance, roughly a z-score):
  // chance alone crosses it about once in a few million tests.
  const onset = 7 - 4 * settings.sensitivity;
  // One unit lower: fresh viewers are rarer than records, so the same excess is stronger evidence.
  return { onset, fresh: onset - 1, end: onset * 0.4 };
}
