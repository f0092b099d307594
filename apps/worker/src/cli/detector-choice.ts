import { analysisSettingsSchema, DEFAULT_SETTINGS } from "@emote/contracts";
import type { z } from "zod";
import type { DetectorKind, StreamDetector } from "../detectors/detector-types.ts";
import { DEFAULT_SURGE_SETTINGS, surgeSettingsSchema } from "../detectors/surge/settings.ts";
import { SurgeDetector } from "../detectors/surge/surge-detector.ts";
import { ThresholdAdapter } from "./threshold-adapter.ts";

export const DETECTOR_KINDS = ["surge", "threshold"] as const satisfies readonly DetectorKind[];

/** A settings object that is not valid: one readable line naming the field. */
export class SettingsError extends Error {}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : "settings";
  return `invalid settings ${field}: ${issue?.message ?? "invalid"}`;
}

/**
 * The detector the worker would run, with the defaults overridden by `settings` (a
 * partial settings object of that detector; unknown fields are refused).
 */
export function createDetector(kind: DetectorKind, settings: unknown = {}): StreamDetector {
  if (kind === "surge") {
    const parsed = surgeSettingsSchema.partial().safeParse(settings);
    if (!parsed.success) throw new SettingsError(firstIssue(parsed.error));
    const merged = { ...DEFAULT_SURGE_SETTINGS, ...parsed.data };
    return new SurgeDetector(new Map(), () => merged);
  }
  const parsed = analysisSettingsSchema.strict().partial().safeParse(settings);
  if (!parsed.success) throw new SettingsError(firstIssue(parsed.error));
  return new ThresholdAdapter({ ...DEFAULT_SETTINGS, ...parsed.data });
}
