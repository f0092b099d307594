import { describe, expect, it } from "vitest";
import { generateEmotes } from "./emote-stream.ts";
import { SURGE_EXTRA, SURGE_LENGTH_MS, SURGE_PERIOD_MS, withSurges } from "./surge-overlay.ts";

const START = Date.UTC(2026, 11, 6, 20);
const EMOTES = ["🔥", "😂", "👏"];

function run(share: number) {
  return [
    ...withSurges(
      generateEmotes({ seed: 3, streamers: 40, rate: 2, start: START, count: 40 * 2 * 240, emotes: EMOTES }),
      {
        share,
        seed: 3,
        emotes: EMOTES,
      },
    ),
  ];
}

describe("withSurges", () => {
  it("adds nothing with a share of 0", () => {
    expect(run(0)).toHaveLength(40 * 2 * 240);
  });

  it("makes about the share of streamers surge, each for 20 s of every 2 min, on one emote", () => {
    const out = run(0.25);
    const extra = out.filter((m) => /-s\d$/.test(m.id));
    const surging = new Set(extra.map((m) => m.streamerId));
    expect(surging.size).toBeGreaterThanOrEqual(4);
    expect(surging.size).toBeLessThanOrEqual(18);
    for (const streamerId of surging) {
      const times = extra.filter((m) => m.streamerId === streamerId).map((m) => Date.parse(m.timestamp));
      // Within any 2 min, extra emotes span at most the surge's length.
      const first = Math.min(...times);
      const inCycle = times.filter((t) => t < first + SURGE_PERIOD_MS);
      expect(Math.max(...inCycle) - first).toBeLessThan(SURGE_LENGTH_MS);
      expect(
        new Set(
          extra
            .filter((m) => m.streamerId === streamerId && Date.parse(m.timestamp) < first + SURGE_PERIOD_MS)
            .map((m) => m.emote),
        ).size,
      ).toBe(1);
    }
    expect(extra.length % SURGE_EXTRA).toBe(0);
    expect(new Set(out.map((m) => m.id)).size).toBe(out.length);
  });

  it("is deterministic", () => {
    expect(run(0.25)).toEqual(run(0.25));
  });
});
