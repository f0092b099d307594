import { describe, expect, it } from "vitest";
import { DEFAULT_EMOTES, parseRawEmote } from "@emote/contracts";
import { BURST_MAX, BURST_MIN, generateEmotes, streamerIds, type EmoteMessage } from "./emote-stream.ts";

const START = Date.parse("2025-01-15T10:20:30.000Z");

/** Groups consecutive messages of one streamer with one timestamp: one tick each. */
function ticks(messages: EmoteMessage[]): EmoteMessage[][] {
  const out: EmoteMessage[][] = [];
  let current: EmoteMessage[] = [];
  for (const m of messages) {
    const first = current[0];
    if (first && (first.streamerId !== m.streamerId || first.timestamp !== m.timestamp)) {
      out.push(current);
      current = [];
    }
    current.push(m);
  }
  if (current.length > 0) out.push(current);
  return out;
}

describe("generateEmotes", () => {
  it("gives the same messages, ids included, for the same seed and start", () => {
    const a = [...generateEmotes({ seed: 7, start: START, streamers: 5, count: 5_000 })];
    const b = [...generateEmotes({ seed: 7, start: new Date(START), streamers: 5, count: 5_000 })];
    expect(b).toEqual(a);
    const other = [...generateEmotes({ seed: 8, start: START, streamers: 5, count: 5_000 })];
    expect(other.map((m) => m.emote)).not.toEqual(a.map((m) => m.emote));
  });

  it("keeps the sequence of seed 1 stable (other packages' tests depend on it)", () => {
    expect([...generateEmotes({ seed: 1, start: START, count: 8 })]).toEqual([
      { emote: "😀", timestamp: "2025-01-15T10:20:30.000Z", streamerId: "default", id: "default-7vkfkc-0" },
      { emote: "😮", timestamp: "2025-01-15T10:20:31.000Z", streamerId: "default", id: "default-7vkfkc-1" },
      { emote: "😮", timestamp: "2025-01-15T10:20:32.000Z", streamerId: "default", id: "default-7vkfkc-2" },
      { emote: "😮", timestamp: "2025-01-15T10:20:33.000Z", streamerId: "default", id: "default-7vkfkc-3" },
      { emote: "😡", timestamp: "2025-01-15T10:20:34.000Z", streamerId: "default", id: "default-7vkfkc-4" },
      { emote: "😡", timestamp: "2025-01-15T10:20:34.000Z", streamerId: "default", id: "default-7vkfkc-5" },
      { emote: "😡", timestamp: "2025-01-15T10:20:34.000Z", streamerId: "default", id: "default-7vkfkc-6" },
      { emote: "😡", timestamp: "2025-01-15T10:20:34.000Z", streamerId: "default", id: "default-7vkfkc-7" },
    ]);
  });

  it("sends one emote on 80% of ticks and a burst of 3–10 of one emote on 20%", () => {
    const groups = ticks([...generateEmotes({ seed: 3, start: START, count: 200_000 })]);
    const complete = groups.slice(0, -1); // the last tick may be cut by count
    const bursts = complete.filter((g) => g.length > 1);
    expect(bursts.length / complete.length).toBeGreaterThan(0.19);
    expect(bursts.length / complete.length).toBeLessThan(0.21);

    const sizes = new Map<number, number>();
    for (const g of bursts) {
      expect(g.length).toBeGreaterThanOrEqual(BURST_MIN);
      expect(g.length).toBeLessThanOrEqual(BURST_MAX);
      expect(new Set(g.map((m) => m.emote)).size).toBe(1);
      sizes.set(g.length, (sizes.get(g.length) ?? 0) + 1);
    }
    // Every burst size 3…10 turns up about equally often (1/8 each).
    expect([...sizes.keys()].sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    for (const n of sizes.values()) expect(Math.abs(n / bursts.length - 1 / 8)).toBeLessThan(0.02);
  });

  it("picks the emotes uniformly from the eight defaults, or from the given set", () => {
    const tally = new Map<string, number>();
    const groups = ticks([...generateEmotes({ seed: 5, start: START, count: 100_000 })]);
    for (const g of groups) tally.set(g[0]!.emote, (tally.get(g[0]!.emote) ?? 0) + 1);
    expect([...tally.keys()].sort()).toEqual([...DEFAULT_EMOTES].sort());
    for (const n of tally.values()) expect(Math.abs(n / groups.length - 1 / 8)).toBeLessThan(0.02);

    const custom = new Set(
      [...generateEmotes({ seed: 5, start: START, emotes: ["🎉", "🐸"], count: 1_000 })].map((m) => m.emote),
    );
    expect([...custom].sort()).toEqual(["🎉", "🐸"]);
  });

  it("names one streamer `default` and several s1…sN, each ticking once per tick in order", () => {
    expect(streamerIds(1)).toEqual(["default"]);
    expect(streamerIds(3)).toEqual(["s1", "s2", "s3"]);
    expect(
      new Set([...generateEmotes({ seed: 1, start: START, count: 500 })].map((m) => m.streamerId)),
    ).toEqual(new Set(["default"]));

    const groups = ticks([...generateEmotes({ seed: 1, start: START, streamers: 3, count: 3_000 })]).slice(
      0,
      30,
    );
    expect(groups.map((g) => g[0]!.streamerId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `s${(i % 3) + 1}`),
    );
  });

  it("gives a streamer the same emotes however many streamers run beside it", () => {
    const s2 = (streamers: number) =>
      [...generateEmotes({ seed: 9, start: START, streamers, count: 20_000 })]
        .filter((m) => m.streamerId === "s2")
        .slice(0, 1_000);
    expect(s2(5)).toEqual(s2(3));
  });

  it("stamps tick k with start + k/rate seconds", () => {
    const at = (rate: number, streamers: number) =>
      ticks([...generateEmotes({ seed: 2, start: START, rate, streamers, count: 2_000 })])
        .filter((g) => g[0]!.streamerId === streamerIds(streamers)[0])
        .slice(0, 6)
        .map((g) => Date.parse(g[0]!.timestamp) - START);
    expect(at(1, 1)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(at(4, 2)).toEqual([0, 250, 500, 750, 1000, 1250]);
    expect(at(3, 1)).toEqual([0, 333, 667, 1000, 1333, 1667]);
    expect(at(0.5, 1)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
  });

  it("stops after exactly `count` emotes, even inside a burst", () => {
    for (const count of [0, 1, 2, 3, 17, 1_001]) {
      expect([...generateEmotes({ seed: 1, start: START, count })]).toHaveLength(count);
    }
    // Seed 1's fifth tick is a burst of 4 starting at index 4: cut after its second emote.
    const cut = [...generateEmotes({ seed: 1, start: START, count: 6 })];
    expect(cut.slice(4).map((m) => m.timestamp)).toEqual([
      "2025-01-15T10:20:34.000Z",
      "2025-01-15T10:20:34.000Z",
    ]);
  });

  it("numbers each streamer's emotes in its ids, unique within and across runs", () => {
    const run = [...generateEmotes({ seed: 4, start: START, streamers: 4, count: 4_000 })];
    expect(new Set(run.map((m) => m.id)).size).toBe(run.length);
    const s3 = run.filter((m) => m.streamerId === "s3");
    const tag = s3[0]!.id.split("-")[1];
    expect(s3.map((m) => m.id)).toEqual(s3.map((_, n) => `s3-${tag}-${n}`));

    const later = [...generateEmotes({ seed: 4, start: START + 1, streamers: 4, count: 10 })];
    expect(later[0]!.id).not.toBe(run[0]!.id);
  });

  it("produces messages the contract accepts", () => {
    for (const m of generateEmotes({ seed: 6, start: START, streamers: 12, rate: 7, count: 2_000 })) {
      const parsed = parseRawEmote(Buffer.from(JSON.stringify(m)));
      expect(parsed).toEqual({
        ok: true,
        value: { emote: m.emote, timestampMs: Date.parse(m.timestamp), streamerId: m.streamerId, id: m.id },
      });
    }
  });

  it("is endless without count", () => {
    let n = 0;
    for (const _ of generateEmotes({ seed: 1, start: START })) if (++n === 50_000) break;
    expect(n).toBe(50_000);
  });

  it.each([
    [{ streamers: 0 }, /streamers/],
    [{ streamers: 1.5 }, /streamers/],
    [{ rate: 0 }, /rate/],
    [{ emotes: [] }, /emotes/],
    [{ count: -1 }, /count/],
    [{ start: Number.NaN }, /start/],
  ])("rejects %o", (bad, message) => {
    expect(() => [...generateEmotes({ seed: 1, start: START, count: 1, ...bad })]).toThrow(message);
  });
});

describe("generateEmotes with simulated viewers", () => {
  const start = Date.UTC(2025, 0, 15, 10);
  const messages = [...generateEmotes({ seed: 3, start, rate: 10, viewers: 200, count: 60_000 })];

  it("names a viewer in every message, and keeps the ordinary ticks' emotes of the stream without viewers", () => {
    expect(messages.every((m) => /^v\d+$/.test(m.viewer ?? "") && Number(m.viewer?.slice(1)) < 200)).toBe(
      true,
    );
    const plain = [...generateEmotes({ seed: 3, start, rate: 10, count: 2_000 })];
    // Up to the first surge the streams are the same emotes at the same times.
    const firstSurge = messages.findIndex(
      (m, i) => m.emote !== plain[i]?.emote || m.timestamp !== plain[i]?.timestamp,
    );
    expect(firstSurge).toBeGreaterThan(100);
  });

  it("lets a crowd of distinct viewers surge on one emote now and then", () => {
    const windows = new Map<string, Set<string>>();
    for (const m of messages) {
      const key = `${Math.floor(Date.parse(m.timestamp) / 10_000)}\u0000${m.emote}`;
      let set = windows.get(key);
      if (!set) windows.set(key, (set = new Set()));
      set.add(m.viewer ?? "");
    }
    // Without a surge an emote gets about 25 emotes from ~25 viewers in 10 s; a surge 100 or more.
    const crowded = [...windows.values()].filter((viewers) => viewers.size >= 60).length;
    // About 40 minutes of stream: a surge every ~90 s, each over one to three 10 s windows.
    expect(crowded).toBeGreaterThanOrEqual(10);
    expect(crowded).toBeLessThan(120);
  });
});
