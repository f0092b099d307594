import type { Highlight } from "./highlights.ts";

/** One slot of streams.timeline, as the heatmap reads it. */
export interface TimelineSlot {
  start: string;
  emotes: number;
  viewers: number;
  leading: readonly { emote: string; count: number }[];
}

export interface HeatmapInput {
  startedAt: string;
  lastEmoteAt: string;
  slotMs: number;
  /** Only the slots with emotes, in time order. */
  slots: readonly TimelineSlot[];
}

export interface HeatCell {
  /** From the stream's start. */
  offsetMs: number;
  widthMs: number;
  emotes: number;
  /** The busiest slot's distinct viewers. */
  viewers: number;
  /** 0 = silent, 1..LEVELS = quiet to the stream's busiest. */
  level: number;
  /** The emote used most in the cell, if any. */
  leading: string | undefined;
}

export interface HeatMarker extends Highlight {
  /** Where the onset is along the stream, 0 to 100. */
  leftPercent: number;
}

export interface Heatmap {
  spanMs: number;
  cells: HeatCell[];
  markers: HeatMarker[];
  /** The most emotes of one cell. */
  peakEmotes: number;
}

export const LEVELS = 4;

/**
 * Bins a stream's timeline into at most `maxCells` equal cells (fewer when the stream has
 * fewer slots) and places the highlights along it. Levels follow the square root of a
 * cell's emotes against the busiest cell's, so quiet parts still show some texture.
 */
export function buildHeatmap(
  input: HeatmapInput,
  highlights: readonly Highlight[],
  maxCells: number,
): Heatmap {
  const start = Date.parse(input.startedAt);
  // Whole slots, up to and with the one the last emote is in.
  const spanMs =
    (Math.max(0, Math.floor((Date.parse(input.lastEmoteAt) - start) / input.slotMs)) + 1) * input.slotMs;
  const count = Math.max(1, Math.min(maxCells, Math.ceil(spanMs / input.slotMs)));
  const widthMs = spanMs / count;
  const cells = Array.from({ length: count }, (_, i) => ({
    offsetMs: Math.round(i * widthMs),
    widthMs: Math.round(widthMs),
    emotes: 0,
    viewers: 0,
    level: 0,
    counts: new Map<string, number>(),
  }));
  for (const slot of input.slots) {
    const offset = Date.parse(slot.start) - start;
    const cell = cells[Math.min(count - 1, Math.max(0, Math.floor(offset / widthMs)))];
    if (!cell) continue;
    cell.emotes += slot.emotes;
    cell.viewers = Math.max(cell.viewers, slot.viewers);
    for (const l of slot.leading) cell.counts.set(l.emote, (cell.counts.get(l.emote) ?? 0) + l.count);
  }
  const peakEmotes = cells.reduce((max, c) => Math.max(max, c.emotes), 0);
  const heatCells: HeatCell[] = cells.map(({ counts, ...c }) => ({
    ...c,
    level:
      c.emotes === 0 || peakEmotes === 0
        ? 0
        : Math.max(1, Math.ceil(LEVELS * Math.sqrt(c.emotes / peakEmotes))),
    leading: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0],
  }));
  const markers = highlights.map((h) => ({
    ...h,
    leftPercent: Math.min(100, Math.max(0, (h.offsetMs / spanMs) * 100)),
  }));
  return { spanMs, cells: heatCells, markers, peakEmotes };
}
