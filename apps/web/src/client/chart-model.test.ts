import { describe, expect, it } from "vitest";
import { buildChartModel, dataRuns, niceCeiling } from "./chart-model.ts";

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

  it("lays out consecutive minutes up to the latest, counting allowed emotes only, zero for an emote a minute lacks", () => {
    const model = buildChartModel(
      [stats(20, { "🔥": 5, "😀": 1, "🤖": 9 }), stats(21, { "🔥": 7 })],
      ["🔥", "😀"],
      [],
      { minuteCount: 3 },
    );
    expect(model?.minutes).toEqual([minute(19), minute(20), minute(21)]);
    expect(model?.series.map((s) => [s.emote, s.counts])).toEqual([
      ["🔥", [null, 5, 7]],
      ["😀", [null, 1, 0]],
    ]);
    expect(model?.yMax).toBe(10);
  });

  it("leaves a gap, not a zero, before the stream and over a stall", () => {
    const model = buildChartModel([stats(20, { "🔥": 5 }), stats(23, { "🔥": 60 })], ["🔥"], [], {
      minuteCount: 6,
    });
    expect(model?.series[0]?.counts).toEqual([null, null, 5, null, null, 60]);
    expect(model?.yMax).toBe(100);
  });

  it("runs the axis on past the latest stats for the minutes nothing arrived (a stall now)", () => {
    const model = buildChartModel([stats(20, { "🔥": 5 }), stats(21, { "🔥": 6 })], ["🔥"], [], {
      minuteCount: 4,
      silentMinutes: 2,
    });
    expect(model?.minutes).toEqual([minute(20), minute(21), minute(22), minute(23)]);
    expect(model?.series[0]?.counts).toEqual([5, 6, null, null]);
  });

  it("marks each minute's moment once, and only for shown minutes and allowed emotes", () => {
    const model = buildChartModel(
      [stats(21, { "🔥": 12 }), stats(22, { "🔥": 3 })],
      ["🔥", "😀"],
      [moment(22, "🔥", "b"), moment(22, "🔥", "a"), moment(1, "🔥", "old"), moment(21, "🤖", "other")],
      { minuteCount: 3 },
    );
    expect(model?.marks.map((m) => [m.minuteIndex, m.emote])).toEqual([[2, "🔥"]]);
  });
});

describe("dataRuns", () => {
  it("splits the minutes with data at every gap", () => {
    expect(dataRuns([null, 1, 2, null, 0, null, null, 4, 5, 6])).toEqual([
      [1, 2],
      [4, 4],
      [7, 9],
    ]);
    expect(dataRuns([null, null])).toEqual([]);
  });
});

describe("niceCeiling", () => {
  it("rounds up to 1, 2 or 5 times a power of ten, at least 5", () => {
    expect([0, 3, 5, 6, 11, 35, 49, 50, 51, 180, 999].map(niceCeiling)).toEqual([
      5, 5, 5, 10, 20, 50, 50, 50, 100, 200, 1000,
    ]);
  });
});
