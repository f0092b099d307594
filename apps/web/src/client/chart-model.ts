import type { WindowStats } from "@emote/contracts";
import { emoteColor } from "./format.ts";
import type { Moment } from "./trpc.ts";

export const MINUTE_MS = 60_000;

export interface Series {
  emote: string;
  color: string;
  /** Count per minute, aligned with ChartModel.minutes; null where there is no data (a gap, not a zero). */
  counts: (number | null)[];
}

export interface MomentMark {
  emote: string;
  color: string;
  minuteIndex: number;
  count: number;
  ratio: number;
}

export interface ChartModel {
  /** Consecutive minute starts (ISO), oldest first; the last is the latest minute seen. */
  minutes: string[];
  series: Series[];
  marks: MomentMark[];
  /** Top of the y axis: a round number at or above the largest count. */
  yMax: number;
}

/** Runs of consecutive minutes with data, as index ranges [first, last]: the chart's line segments. */
export function dataRuns(counts: readonly (number | null)[]): [number, number][] {
  const runs: [number, number][] = [];
  counts.forEach((c, i) => {
    if (c === null) return;
    const last = runs.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  });
  return runs;
}

/** 1, 2 or 5 times a power of ten, at least `value` (and at least 5). */
export function niceCeiling(value: number): number {
  if (value <= 5) return 5;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export interface ChartOptions {
  /** Minutes on the axis. */
  minuteCount?: number;
  /**
   * Whole minutes since the latest stats arrived (on the client's clock, so a skewed clock
   * does not matter): the axis runs on past the latest minute by this many, with no data.
   */
  silentMinutes?: number;
}

/**
 * The chart of the latest `minuteCount` minutes: every allowed emote's count per minute
 * and the moments found in those minutes. A minute without stats (before the stream, a
 * stall, a disconnect) has no count: the chart shows a gap there, not a zero. Within a
 * minute that has stats, an emote not in them counted zero.
 */
export function buildChartModel(
  stats: readonly WindowStats[],
  allowedEmotes: readonly string[],
  moments: readonly Moment[],
  { minuteCount = 10, silentMinutes = 0 }: ChartOptions = {},
): ChartModel | null {
  if (stats.length === 0) return null;
  const latest =
    Math.max(...stats.map((s) => Date.parse(s.windowStart))) + Math.max(0, silentMinutes) * MINUTE_MS;
  const minutes = Array.from({ length: minuteCount }, (_, i) =>
    new Date(latest - (minuteCount - 1 - i) * MINUTE_MS).toISOString(),
  );
  const indexOf = new Map(minutes.map((m, i) => [Date.parse(m), i]));
  const byMinute = new Map(stats.map((s) => [Date.parse(s.windowStart), s]));

  const series = allowedEmotes.map((emote, e) => ({
    emote,
    color: emoteColor(e),
    counts: minutes.map((m) => {
      const minute = byMinute.get(Date.parse(m));
      return minute ? (minute.counts[emote] ?? 0) : null;
    }),
  }));

  const marks: MomentMark[] = [];
  const seen = new Set<string>();
  for (const m of moments) {
    const minuteIndex = indexOf.get(Date.parse(m.timestamp));
    const e = allowedEmotes.indexOf(m.emote);
    const key = `${m.timestamp}|${m.emote}`;
    if (minuteIndex === undefined || e < 0 || seen.has(key)) continue;
    seen.add(key); // moments is newest first: the latest analysis of a minute wins
    marks.push({ emote: m.emote, color: emoteColor(e), minuteIndex, count: m.count, ratio: m.ratio });
  }

  const largest = Math.max(0, ...series.flatMap((s) => s.counts.filter((c) => c !== null)));
  return { minutes, series, marks, yMax: niceCeiling(largest) };
}
