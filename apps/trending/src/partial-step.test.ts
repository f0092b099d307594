import type { WindowStats } from "@emote/contracts";
import { describe, expect, it } from "vitest";
import { PartialStep, type StatsInput } from "./partial-step.ts";

const MINUTE = Date.parse("2026-12-06T20:00:00.000Z");

function stats(
  streamerId: string,
  minuteOffset: number,
  counts: Record<string, number>,
  at = MINUTE,
): StatsInput {
  const value: WindowStats = {
    streamerId,
    windowStart: new Date(MINUTE + minuteOffset * 60_000).toISOString(),
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
  };
  return { stats: value, recordTimeMs: at };
}

describe("PartialStep", () => {
  it("turns cumulative snapshots into deltas summed over streamers", () => {
    const step = new PartialStep();
    const d = step.apply([
      stats("a", 0, { "🔥": 2 }),
      stats("b", 0, { "🔥": 1, "😂": 1 }),
      stats("a", 0, { "🔥": 5 }),
    ]);
    expect(d.minutes).toEqual([{ minute: MINUTE, counts: { "🔥": 6, "😂": 1 }, total: 7 }]);
    expect(d.intensity).toEqual([{ bucketStart: MINUTE, emotes: 7 }]);
    expect(d.changed.map((c) => [c.streamerId, c.counts])).toEqual([
      ["a", { "🔥": 5 }],
      ["b", { "🔥": 1, "😂": 1 }],
    ]);
  });

  it("adds nothing for a replayed snapshot, and a lower one (a recount) takes back the difference", () => {
    const step = new PartialStep();
    step.apply([stats("a", 0, { "🔥": 4 })]);
    expect(step.apply([stats("a", 0, { "🔥": 4 })]).minutes).toEqual([
      { minute: MINUTE, counts: {}, total: 0 },
    ]);
    expect(step.apply([stats("a", 0, { "🔥": 3 })]).minutes).toEqual([
      { minute: MINUTE, counts: { "🔥": -1 }, total: -1 },
    ]);
  });

  it("resumes from its stored snapshots as if never stopped", () => {
    const first = new PartialStep();
    const { changed } = first.apply([stats("a", 0, { "🔥": 4 })]);
    const resumed = new PartialStep();
    resumed.load(changed);
    expect(resumed.apply([stats("a", 0, { "🔥": 6 })]).minutes).toEqual([
      { minute: MINUTE, counts: { "🔥": 2 }, total: 2 },
    ]);
  });

  it("forgets minutes behind its horizon: memory stays bounded however many minutes pass", () => {
    const step = new PartialStep(5 * 60_000);
    for (let m = 0; m < 100; m++) step.apply([stats("a", m, { "🔥": 1 }), stats("b", m, { "🔥": 1 })]);
    expect(step.size()).toBeLessThanOrEqual(2 * 7);
    expect(step.apply([stats("a", 10, { "🔥": 9 })]).minutes).toEqual([]);
  });
});
