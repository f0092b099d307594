import { describe, expect, it } from "vitest";
import { filterMayInclude, type HistoryFilter } from "./history-filter.ts";

const moment = {
  id: "m1",
  streamerId: "s1",
  emote: "🔥",
  timestamp: new Date(2026, 0, 15, 10, 30).toISOString(),
  count: 12,
  total: 30,
  ratio: 0.4,
};
const all: HistoryFilter = { streamerId: "", emote: "", kind: "", from: "", to: "" };

describe("filterMayInclude", () => {
  it("includes a moment in unfiltered history and in its own streamer's and emote's", () => {
    expect(filterMayInclude(all, moment)).toBe(true);
    expect(filterMayInclude({ ...all, streamerId: "s1", emote: "🔥" }, moment)).toBe(true);
  });

  it("leaves out another streamer's or emote's filter", () => {
    expect(filterMayInclude({ ...all, streamerId: "s2" }, moment)).toBe(false);
    expect(filterMayInclude({ ...all, emote: "😀" }, moment)).toBe(false);
  });

  it("reads a moment without a kind as the original rule's", () => {
    expect(filterMayInclude({ ...all, kind: "threshold" }, moment)).toBe(true);
    expect(filterMayInclude({ ...all, kind: "surge" }, moment)).toBe(false);
    expect(filterMayInclude({ ...all, kind: "threshold" }, { ...moment, kind: "threshold" })).toBe(true);
  });

  it("respects the time range (local datetime-local values)", () => {
    expect(filterMayInclude({ ...all, from: "2026-01-15T10:00", to: "2026-01-15T11:00" }, moment)).toBe(true);
    expect(filterMayInclude({ ...all, from: "2026-01-15T10:31" }, moment)).toBe(false);
    expect(filterMayInclude({ ...all, to: "2026-01-15T10:29" }, moment)).toBe(false);
  });
});
