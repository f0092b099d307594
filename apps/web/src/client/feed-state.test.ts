import { describe, expect, it } from "vitest";
import { addLive, FEED_KEPT, feedItems, freshFeed, updateShown } from "./feed-state.ts";
import type { Moment } from "./trpc.ts";

const surge = (id: string, endedAt?: string): Moment => ({
  id,
  streamerId: "s",
  emote: "😂",
  timestamp: "2030-01-01T00:00:00.000Z",
  count: 9,
  total: 20,
  ratio: 0.45,
  kind: "surge",
  surge: {
    startedAt: "2030-01-01T00:00:10.000Z",
    detectedAt: "2030-01-01T00:00:12.000Z",
    ...(endedAt && { endedAt }),
    peakRate: 4,
    baselineRate: 0.5,
    score: 6,
    viewers: 9,
  },
});

describe("feed state", () => {
  it("puts new live moments first and counts them", () => {
    const state = addLive(addLive(freshFeed("surge"), surge("a")), surge("b"));
    expect(feedItems(state, [surge("old")]).map((i) => [i.moment.id, i.live])).toEqual([
      ["b", true],
      ["a", true],
      ["old", false],
    ]);
    expect(state.arrivedLive).toBe(2);
  });

  it("replaces a shown surge by its end, in place, live or stored, without counting it again", () => {
    const ended = "2030-01-01T00:00:40.000Z";
    let state = addLive(freshFeed("surge"), surge("a"));
    state = updateShown(state, surge("a", ended));
    state = updateShown(state, surge("old", ended));
    const items = feedItems(state, [surge("old")]);
    expect(items.map((i) => [i.moment.id, i.moment.surge?.endedAt, i.live])).toEqual([
      ["a", ended, true],
      ["old", ended, false],
    ]);
    expect(state.arrivedLive).toBe(1);
  });

  it("keeps at most FEED_KEPT moments and twice as many newer versions", () => {
    let state = freshFeed("surge");
    for (let i = 0; i < FEED_KEPT + 5; i++)
      state = updateShown(addLive(state, surge(`m${i}`)), surge(`m${i}`));
    for (let i = 0; i < FEED_KEPT * 2; i++) state = updateShown(state, surge(`x${i}`));
    expect(state.live).toHaveLength(FEED_KEPT);
    expect(state.updated.size).toBe(2 * FEED_KEPT);
    expect(feedItems(state, [])).toHaveLength(FEED_KEPT);
  });
});
