import { describe, expect, it } from "vitest";
import type { Moment } from "../trpc.ts";
import { youtubeChapters } from "./chapters.ts";
import { csvField, toCsv } from "./csv.ts";
import { buildHeatmap } from "./heatmap-model.ts";
import { highlightsCsv, highlightsOf, mergeSurges, topHighlights, type Highlight } from "./highlights.ts";
import { formatOffset } from "./stream-time.ts";

const START = "2030-05-01T20:00:00.000Z";
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

const surge = (id: string, emote: string, offsetMs: number, score: number, endedMs?: number): Moment => ({
  id,
  streamerId: "s",
  emote,
  timestamp: at(Math.floor(offsetMs / 60_000) * 60_000),
  count: 10,
  total: 20,
  ratio: 0.5,
  kind: "surge",
  surge: {
    startedAt: at(offsetMs),
    detectedAt: at(offsetMs + 2_000),
    ...(endedMs !== undefined && { endedAt: at(endedMs) }),
    peakRate: 4.567,
    baselineRate: 0.25,
    score,
    viewers: 12,
  },
});

describe("formatOffset", () => {
  it("writes HH:MM:SS from milliseconds, never negative", () => {
    expect(formatOffset(0)).toBe("00:00:00");
    expect(formatOffset(754_999)).toBe("00:12:34");
    expect(formatOffset(36 * 3_600_000 + 61_000)).toBe("36:01:01");
    expect(formatOffset(-5_000)).toBe("00:00:00");
  });
});

describe("highlights", () => {
  const moments = [
    surge("b", "😮", 3_600_000, 3),
    surge("a", "😂", 754_000, 9, 790_000),
    { ...surge("x", "🔥", 1_000, 1), kind: "threshold" as const, surge: undefined },
  ];

  it("keeps the surges in onset order, with their time into the stream", () => {
    const list = highlightsOf(START, moments);
    expect(list.map((h) => [h.id, h.offsetMs, h.endedAt])).toEqual([
      ["a", 754_000, at(790_000)],
      ["b", 3_600_000, undefined],
    ]);
    expect(topHighlights(list, 1).map((h) => h.id)).toEqual(["a"]);
  });

  it("merges a live surge's end over the stored one, and leaves out surges of other streams", () => {
    const stored = [surge("a", "😂", 754_000, 9)];
    const merged = mergeSurges(
      stored,
      [surge("a", "😂", 754_000, 9, 800_000), surge("old", "🔥", -60_000, 5)],
      {
        startedAt: START,
      },
    );
    expect(merged.map((m) => [m.id, m.surge?.endedAt])).toEqual([["a", at(800_000)]]);
  });

  it("exports YouTube chapters: 00:00:00 first, each 10 s or more after the previous", () => {
    const list: Highlight[] = highlightsOf(START, [
      surge("a", "😂", 754_000, 9),
      surge("c", "🔥", 758_000, 2), // 4 s after a stronger one: left out
      surge("b", "😮", 3_600_000, 3),
      surge("z", "👏", 5_000, 1), // under 10 s from the start chapter
    ]);
    expect(youtubeChapters(list)).toBe(
      "00:00:00 Stream start\n00:12:34 🔥 😂 highlight · 12 viewers\n01:00:00 🔥 😮 highlight · 12 viewers\n",
    );
    expect(youtubeChapters([], "line\nbreak")).toBe("00:00:00 line break\n");
  });

  it("exports CSV with a header, escaped fields and rounded numbers", () => {
    const csv = highlightsCsv("s:1", highlightsOf(START, [surge("a", "😂", 754_000, 9.876, 790_000)]));
    expect(csv).toBe(
      "stream_id,offset,emote,started_at,ended_at,peak_rate,baseline_rate,score,viewers\r\n" +
        `s:1,00:12:34,😂,${at(754_000)},${at(790_000)},4.57,0.25,9.88,12\r\n`,
    );
  });
});

describe("csvField", () => {
  it("quotes commas, quotes and line breaks", () => {
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField("plain")).toBe("plain");
    expect(csvField(null)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(true)).toBe("true");
  });

  it("guards text a spreadsheet would run as a formula, not negative numbers", () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField(-2)).toBe("-2");
    expect(toCsv(["a", "b"], [["=1", 2]])).toBe("a,b\r\n'=1,2\r\n");
  });
});

describe("buildHeatmap", () => {
  const input = {
    startedAt: START,
    lastEmoteAt: at(59_000),
    slotMs: 10_000,
    slots: [
      { start: at(0), emotes: 4, viewers: 2, leading: [{ emote: "🔥", count: 3 }] },
      { start: at(10_000), emotes: 100, viewers: 30, leading: [{ emote: "😂", count: 90 }] },
      { start: at(50_000), emotes: 25, viewers: 5, leading: [{ emote: "😂", count: 20 }] },
    ],
  };

  it("has one cell per slot when they fit, levels by the square root of the busiest", () => {
    const map = buildHeatmap(input, [], 100);
    expect(map.spanMs).toBe(60_000);
    expect(map.cells.map((c) => c.level)).toEqual([1, 4, 0, 0, 0, 2]);
    expect(map.cells.map((c) => c.leading)).toEqual(["🔥", "😂", undefined, undefined, undefined, "😂"]);
    expect(map.peakEmotes).toBe(100);
  });

  it("bins slots into fewer cells: emotes add up, viewers are the busiest slot's, the leading emote by count", () => {
    const map = buildHeatmap(input, [], 2);
    expect(map.cells.map((c) => [c.offsetMs, c.widthMs, c.emotes, c.viewers, c.leading])).toEqual([
      [0, 30_000, 104, 30, "😂"],
      [30_000, 30_000, 25, 5, "😂"],
    ]);
  });

  it("places markers along the stream by their onset", () => {
    const map = buildHeatmap(input, highlightsOf(START, [surge("a", "😂", 15_000, 9)]), 6);
    expect(map.markers.map((m) => [m.id, m.leftPercent])).toEqual([["a", 25]]);
  });
});
