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

/**
 * Sensitivity 0.5 puts the onset bar at 5 (a signed-root deviance, roughly a z-score):
 * chance alone crosses it about once in a few million tests. (A number, not an object:
 * it is asked for on every record.)
 */
export function onsetBar(settings: SurgeSettings): number {
  return 7 - 4 * settings.sensitivity;
}

/**
 * The fresh-viewer test's bar, one lower than the count test's: its counts are not
 * inflated by the regulars' chatter, so the same excess over its own baseline is as
 * unlikely by chance with fewer sigmas of margin (its baseline is a small count, where
 * the deviance is already strict).
 */
export function freshBar(onset: number): number {
  return onset - 1;
}

export function surgeThresholds(settings: SurgeSettings): SurgeThresholds {
  const onset = onsetBar(settings);
  return { onset, fresh: freshBar(onset), end: onset * 0.4 };
}
