import { describe, expect, it } from "vitest";
import { buildChartModel, niceCeiling } from "./chart-model.ts";

const minute = (m: number) => new Date(Date.UTC(2025, 0, 15, 10, m)).toISOString();
const stats = (m: number, counts: Record<string, number>) => ({
  streamerId: "s1",
  windowStart: minute(m),
  counts,
  total: Object.values(counts).reduce((a, b) => a + b, 0),
});
const moment = (m: number, emote: string, id: string) => ({
  id,
  streamerId: "s1",
  emote,
  timestamp: minute(m),
  count: 12,
  total: 30,
  ratio: 0.4,
});

describe("buildChartModel", () => {
  it("has nothing to draw before the first stats", () => {
    expect(buildChartModel([], ["🔥"], [])).toBeNull();
  });

  it("lays out consecutive minutes up to the latest, counting allowed emotes only, zero where unknown", () => {
    const model = buildChartModel(
      [stats(20, { "🔥": 5, "😀": 1, "🤖": 9 }), stats(22, { "🔥": 7 })],
      ["🔥", "😀"],
      [],
      4,
    );
    expect(model?.minutes).toEqual([minute(19), minute(20), minute(21), minute(22)]);
    expect(model?.series.map((s) => [s.emote, s.counts])).toEqual([
      ["🔥", [0, 5, 0, 7]],
      ["😀", [0, 1, 0, 0]],
    ]);
    expect(model?.yMax).toBe(10);
  });

  it("marks each minute's moment once, and only for shown minutes and allowed emotes", () => {
    const model = buildChartModel(
      [stats(21, { "🔥": 12 }), stats(22, { "🔥": 3 })],
      ["🔥", "😀"],
      [moment(22, "🔥", "b"), moment(22, "🔥", "a"), moment(1, "🔥", "old"), moment(21, "🤖", "other")],
      3,
    );
    expect(model?.marks.map((m) => [m.minuteIndex, m.emote])).toEqual([[2, "🔥"]]);
  });
});

describe("niceCeiling", () => {
  it("rounds up to 1, 2 or 5 times a power of ten, at least 5", () => {
    expect([0, 3, 5, 6, 11, 35, 49, 50, 51, 180, 999].map(niceCeiling)).toEqual([
      5, 5, 5, 10, 20, 50, 50, 50, 100, 200, 1000,
    ]);
  });
});
