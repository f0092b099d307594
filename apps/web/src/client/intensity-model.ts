/** One 10 s bucket of platform intensity. */
export interface IntensityPoint {
  bucketStart: string;
  emotes: number;
}

export const BUCKET_MS = 10_000;
/** The Platform page charts the last hour. */
export const INTENSITY_SPAN_MS = 60 * 60_000;

/**
 * The last hour of platform intensity, ending at the newest bucket known: the stored
 * history, overlaid by the live board's buckets (newer, and a bucket still filling), one
 * value per 10 s, null where nothing is known (before the stage ran, a gap).
 */
export function intensitySeries(
  history: readonly IntensityPoint[],
  live: readonly IntensityPoint[],
): { start: number; values: (number | null)[]; max: number } {
  const byBucket = new Map<number, number>();
  for (const p of [...history, ...live]) byBucket.set(Date.parse(p.bucketStart), p.emotes);
  if (byBucket.size === 0) return { start: 0, values: [], max: 0 };
  const end = Math.max(...byBucket.keys());
  const start = end - INTENSITY_SPAN_MS + BUCKET_MS;
  const values: (number | null)[] = [];
  let max = 0;
  for (let b = start; b <= end; b += BUCKET_MS) {
    const v = byBucket.get(b);
    values.push(v ?? null);
    if (v !== undefined) max = Math.max(max, v);
  }
  return { start, values, max };
}
