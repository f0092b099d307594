import type { PlatformIntensity } from "@emote/contracts";

export const BUCKET_MS = 10_000;
/** The Platform page charts the last hour. */
export const INTENSITY_SPAN_MS = 60 * 60_000;

export interface IntensitySeries {
  /** First bucket's start, epoch ms. */
  start: number;
  /** Emotes per bucket. */
  values: (number | null)[];
  /** Distinct viewers per bucket (null also where a board from before viewers were counted has none). */
  viewers: (number | null)[];
  /** Highest of either: the chart's one scale (a viewer sends at least one emote). */
  max: number;
}

/**
 * The last hour of platform intensity, ending at the newest bucket known: the stored
 * history, overlaid by the live board's buckets (newer, and a bucket still filling), one
 * value per 10 s, null where nothing is known (before the stage ran, a gap).
 */
export function intensitySeries(
  history: readonly PlatformIntensity[],
  live: readonly PlatformIntensity[],
): IntensitySeries {
  const byBucket = new Map<number, PlatformIntensity>();
  for (const p of [...history, ...live]) byBucket.set(Date.parse(p.bucketStart), p);
  if (byBucket.size === 0) return { start: 0, values: [], viewers: [], max: 0 };
  const end = Math.max(...byBucket.keys());
  const start = end - INTENSITY_SPAN_MS + BUCKET_MS;
  const values: (number | null)[] = [];
  const viewers: (number | null)[] = [];
  let max = 0;
  for (let b = start; b <= end; b += BUCKET_MS) {
    const p = byBucket.get(b);
    values.push(p?.emotes ?? null);
    viewers.push(p?.viewers ?? null);
    max = Math.max(max, p?.emotes ?? 0, p?.viewers ?? 0);
  }
  return { start, values, viewers, max };
}
