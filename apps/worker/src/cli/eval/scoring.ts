import type { DetectedMoment } from "../../detectors/detector-types.ts";
import type { LabelledSurge } from "./chat-model.ts";

/** A detection counts when it is decided between the onset and this long after the end. */
export const MATCH_AFTER_END_MS = 10_000;

export interface Tally {
  labels: number;
  detections: number;
  truePositives: number;
  duplicates: number;
  latenciesMs: number[];
  streamerHours: number;
  records: number;
  detectorMs: number;
}

export function emptyTally(): Tally {
  return {
    labels: 0,
    detections: 0,
    truePositives: 0,
    duplicates: 0,
    latenciesMs: [],
    streamerHours: 0,
    records: 0,
    detectorMs: 0,
  };
}

/**
 * Scores detections against labels: a detection of the same streamer and emote decided
 * between a surge's onset and 10 s after its end matches it; each surge matches once;
 * every other detection (a second one of the same surge included) is a false positive.
 * A moment's later update (same id, `endedAt`) is the same detection.
 */
export function scoreDetections(moments: readonly DetectedMoment[], labels: readonly LabelledSurge[]): Tally {
  const byKey = new Map<string, { label: LabelledSurge; matched: boolean }[]>();
  for (const label of labels) {
    const key = `${label.streamerId}\u0000${label.emote}`;
    const list = byKey.get(key) ?? [];
    list.push({ label, matched: false });
    byKey.set(key, list);
  }
  const seen = new Set<string>();
  const tally = emptyTally();
  tally.labels = labels.length;
  for (const m of moments) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    tally.detections++;
    const at = Date.parse(m.detectedAt);
    const candidates = (byKey.get(`${m.streamerId}\u0000${m.emote}`) ?? []).filter(
      (c) => at >= c.label.onsetMs && at <= c.label.endMs + MATCH_AFTER_END_MS,
    );
    const open = candidates.find((c) => !c.matched);
    if (open) {
      open.matched = true;
      tally.truePositives++;
      tally.latenciesMs.push(at - open.label.onsetMs);
    } else if (candidates.length > 0) {
      tally.duplicates++;
    }
  }
  return tally;
}

export function addTally(into: Tally, t: Tally): void {
  into.labels += t.labels;
  into.detections += t.detections;
  into.truePositives += t.truePositives;
  into.duplicates += t.duplicates;
  for (const l of t.latenciesMs) into.latenciesMs.push(l);
  into.streamerHours += t.streamerHours;
  into.records += t.records;
  into.detectorMs += t.detectorMs;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  duplicates: number;
  latencyP50S: number;
  latencyP95S: number;
  momentsPerStreamerHour: number;
  emotesPerSecond: number;
}

export function metricsOf(t: Tally): Metrics {
  const precision = t.detections === 0 ? 0 : t.truePositives / t.detections;
  const recall = t.labels === 0 ? 0 : t.truePositives / t.labels;
  const sorted = [...t.latenciesMs].sort((a, b) => a - b);
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    duplicates: t.duplicates,
    latencyP50S: quantile(sorted, 0.5) / 1000,
    latencyP95S: quantile(sorted, 0.95) / 1000,
    momentsPerStreamerHour: t.detections / t.streamerHours,
    emotesPerSecond: t.records / (t.detectorMs / 1000),
  };
}
