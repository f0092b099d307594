import type { Moment } from "../trpc.ts";
import { toCsv } from "./csv.ts";
import { formatOffset, offsetOf } from "./stream-time.ts";

/** A surge moment placed in its stream. */
export interface Highlight {
  id: string;
  emote: string;
  startedAt: string;
  endedAt: string | undefined;
  /** From the stream's start to the surge's onset. */
  offsetMs: number;
  peakRate: number;
  baselineRate: number;
  score: number;
  viewers: number;
}

/** The surge moments of a stream as highlights, in onset order (other kinds are left out). */
export function highlightsOf(streamStartedAt: string, moments: readonly Moment[]): Highlight[] {
  const list: Highlight[] = [];
  for (const m of moments) {
    if (m.kind !== "surge" || !m.surge) continue;
    list.push({
      id: m.id,
      emote: m.emote,
      startedAt: m.surge.startedAt,
      endedAt: m.surge.endedAt,
      offsetMs: offsetOf(streamStartedAt, m.surge.startedAt),
      peakRate: m.surge.peakRate,
      baselineRate: m.surge.baselineRate,
      score: m.surge.score,
      viewers: m.surge.viewers,
    });
  }
  return list.sort((a, b) => a.offsetMs - b.offsetMs || a.id.localeCompare(b.id));
}

/**
 * Timeline surges with the live ones merged in by id (a live one is newer: a surge's end
 * arrives as the same moment again), only those whose onset is in the stream.
 */
export function mergeSurges(
  stored: readonly Moment[],
  live: readonly Moment[],
  stream: { startedAt: string },
): Moment[] {
  const byId = new Map(stored.map((m) => [m.id, m]));
  const start = Date.parse(stream.startedAt);
  for (const m of live) {
    if (m.kind !== "surge" || !m.surge || Date.parse(m.surge.startedAt) < start) continue;
    byId.set(m.id, m);
  }
  return [...byId.values()];
}

/** The strongest highlights first. */
export function topHighlights(highlights: readonly Highlight[], n: number): Highlight[] {
  return [...highlights].sort((a, b) => b.score - a.score || a.offsetMs - b.offsetMs).slice(0, n);
}

export const HIGHLIGHTS_CSV_HEADER = [
  "stream_id",
  "offset",
  "emote",
  "started_at",
  "ended_at",
  "peak_rate",
  "baseline_rate",
  "score",
  "viewers",
] as const;

/** A stream's highlights as CSV, one row each in onset order. */
export function highlightsCsv(streamId: string, highlights: readonly Highlight[]): string {
  return toCsv(
    HIGHLIGHTS_CSV_HEADER,
    highlights.map((h) => [
      streamId,
      formatOffset(h.offsetMs),
      h.emote,
      h.startedAt,
      h.endedAt ?? "",
      round(h.peakRate),
      round(h.baselineRate),
      round(h.score),
      h.viewers,
    ]),
  );
}

const round = (n: number) => Math.round(n * 100) / 100;
