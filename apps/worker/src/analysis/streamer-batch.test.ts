import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "@emote/contracts";
import { StreamerBatch } from "./streamer-batch.ts";

const settings: AnalysisSettings = { ...DEFAULT_SETTINGS, interval: 6, threshold: 0.3 };
const minute = Date.UTC(2025, 0, 15, 10, 20);
const tp = (n: number) => `00-${String(n).padStart(32, "a")}-${String(n).padStart(16, "b")}-01`;
const header = (n: number) => ({ traceparent: Buffer.from(tp(n)) });

describe("StreamerBatch trace tracking", () => {
  it("gives each moment the traceparent of the first emote counted for its minute and emote, if it had one", () => {
    const s = new StreamerBatch("s1");
    // 🔥: the first one's context is kept, the later ones' are not.
    expect(s.add("🔥", minute + 1_000, settings, header(1))).toBeNull();
    expect(s.add("🔥", minute + 2_000, settings, header(2))).toBeNull();
    // 😀 in the next minute: its first has a malformed header, so the moment gets none.
    expect(s.add("😀", minute + 61_000, settings, { traceparent: "not a traceparent" })).toBeNull();
    expect(s.add("😀", minute + 62_000, settings, header(3))).toBeNull();
    expect(s.add("🦄", minute + 63_000, settings, undefined)).toBeNull();
    const moments = s.add("😀", minute + 64_000, settings, header(4));
    expect(moments?.map((m) => [m.emote, m.timestamp, m.traceparent])).toEqual([
      ["🔥", new Date(minute).toISOString(), tp(1)],
      ["😀", new Date(minute + 60_000).toISOString(), undefined],
    ]);
  });

  it("keeps the traces across toProgress/fromProgress, and clears them when the batch closes", () => {
    const s = new StreamerBatch("s1");
    s.add("🔥", minute, settings, header(1));
    s.add("😀", minute, settings, undefined);
    s.add("😀", minute + 60_000, settings, header(2));
    const progress = s.toProgress();
    expect(progress.pendingTraces).toEqual({ [minute]: { "🔥": tp(1) }, [minute + 60_000]: { "😀": tp(2) } });

    // A restart: the first emote's context survives in the stored progress.
    const restored = StreamerBatch.fromProgress(structuredClone(progress));
    restored.add("🔥", minute, settings, header(5));
    restored.add("🔥", minute, settings, header(6));
    const moments = restored.add("🔥", minute, settings, header(7));
    expect(moments?.find((m) => m.emote === "🔥")?.traceparent).toBe(tp(1));
    // The 😀 of the second minute (1 of 1) is also a moment, with its own trace.
    expect(moments?.find((m) => m.emote === "😀")?.traceparent).toBe(tp(2));

    expect(restored.traces.size).toBe(0);
    expect(restored.toProgress().pendingTraces).toEqual({});
    // The next batch starts over: a new first emote.
    restored.add("🔥", minute, settings, header(8));
    expect(restored.toProgress().pendingTraces).toEqual({ [minute]: { "🔥": tp(8) } });
  });

  it("gives no traceparent to a moment none of whose emotes had a header", () => {
    const s = new StreamerBatch("s1");
    let moments = null;
    for (let i = 0; i < settings.interval; i++) moments = s.add("🔥", minute, settings, {});
    expect(moments).toHaveLength(1);
    expect(moments?.[0]).not.toHaveProperty("traceparent");
    expect(s.toProgress().pendingTraces).toEqual({});
  });
});
