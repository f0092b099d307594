import { describe, expect, it } from "vitest";
import { MAX_BUCKET_VIEWERS, StreamTimeline, streamId } from "./stream-timeline.ts";

const T0 = Date.UTC(2026, 2, 1, 20);
const GAP = 60_000;

describe("StreamTimeline", () => {
  it("starts a new stream after the gap of event-time silence, and closes the old one's last bucket", () => {
    const t = new StreamTimeline("s1", GAP);
    t.add("🔥", T0, "a");
    t.add("🔥", T0 + 30_000, "b");
    t.add("😮", T0 + 30_000 + GAP + 1, "a");
    const { buckets, streams } = t.take();
    expect(streams).toEqual([
      { id: streamId("s1", T0), streamerId: "s1", startedAtMs: T0, lastEmoteAtMs: T0 + 30_000, emotes: 2 },
      {
        id: streamId("s1", T0 + 90_001),
        streamerId: "s1",
        startedAtMs: T0 + 90_001,
        lastEmoteAtMs: T0 + 90_001,
        emotes: 1,
      },
    ]);
    expect(buckets.map((b) => [b.bucketStartMs - T0, b.emotes, b.streamId])).toEqual([
      [0, 1, streamId("s1", T0)],
      [30_000, 1, streamId("s1", T0)],
      [90_000, 1, streamId("s1", T0 + 90_001)],
    ]);
    // Nothing new: nothing to write.
    expect(t.take()).toEqual({ buckets: [], streams: [] });
  });

  it("counts a late record in the open bucket, viewers once each, anonymous records one each, leading emotes first", () => {
    const t = new StreamTimeline("s1", GAP);
    t.add("🔥", T0 + 12_000, "a");
    t.add("🔥", T0 + 13_000, "a");
    t.add("😮", T0 + 5_000, "b"); // late: counts in the open bucket
    t.add("👍", T0 + 14_000, undefined);
    t.add("👍", T0 + 14_000, undefined);
    t.add("🔥", T0 + 15_000, "c");
    const { buckets } = t.take();
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({
      bucketStartMs: T0 + 10_000,
      emotes: 6,
      viewers: 5,
      leading: [
        { emote: "🔥", count: 3 },
        { emote: "👍", count: 2 },
        { emote: "😮", count: 1 },
      ],
    });
  });

  it("survives its JSON (a commit) mid-bucket exactly, and bounds the viewers it remembers", () => {
    const whole = new StreamTimeline("s1", GAP);
    const split = new StreamTimeline("s1", GAP);
    let restored = split;
    for (let i = 0; i < MAX_BUCKET_VIEWERS + 200; i++) {
      // 1,100 distinct viewers, then the last 100 of them again.
      const viewer = `v${i < MAX_BUCKET_VIEWERS + 100 ? i : i - 100}`;
      whole.add("🔥", T0 + (i % 9_000), viewer);
      restored.add("🔥", T0 + (i % 9_000), viewer);
      if (i % 250 === 0)
        restored = new StreamTimeline("s1", GAP, JSON.parse(JSON.stringify(restored.toJson())));
    }
    const bucket = whole.take().buckets[0];
    expect(restored.take().buckets[0]).toEqual(bucket);
    // The 100 beyond the remembered 1,000 are not recognised again: they count twice (an upper estimate).
    expect(bucket?.viewers).toBe(MAX_BUCKET_VIEWERS + 200);
    expect(restored.toJson().bucket?.viewers).toHaveLength(MAX_BUCKET_VIEWERS);
  });
});
