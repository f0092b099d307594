import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { analyzeBatch, type EmoteEvent } from "../../test/reference.ts";
import { momentId } from "./moments.ts";
import { OpenBatch } from "./open-batch.ts";
import { thresholdDetector } from "./threshold.ts";

const at = (iso: string) => Date.parse(iso);
const ev = (emote: string, iso: string): EmoteEvent => ({ emote, timestampMs: at(iso) });

describe("analyzeBatch (the original rule)", () => {
  it("finds the emote that holds more than the threshold of a minute", () => {
    // 30 emotes in one minute: 🔥 ×10 (0.333 > 0.3), 😀 ×9 (0.3, not strictly above), 👍 ×11 (0.367)
    const batch = [
      ...Array.from({ length: 10 }, () => ev("🔥", "2025-01-15T10:20:01.000Z")),
      ...Array.from({ length: 9 }, () => ev("😀", "2025-01-15T10:20:30.000Z")),
      ...Array.from({ length: 11 }, () => ev("👍", "2025-01-15T10:20:59.999Z")),
    ];
    expect(analyzeBatch(batch, DEFAULT_SETTINGS)).toEqual([
      { windowStartMs: at("2025-01-15T10:20:00.000Z"), emote: "👍", count: 11, total: 30, ratio: 11 / 30 },
      { windowStartMs: at("2025-01-15T10:20:00.000Z"), emote: "🔥", count: 10, total: 30, ratio: 10 / 30 },
    ]);
  });

  it("treats a ratio equal to the threshold as no moment", () => {
    const batch = [
      ...Array(3).fill(ev("🔥", "2025-01-15T10:20:00Z")),
      ...Array(7).fill(ev("😀", "2025-01-15T10:20:00Z")),
    ];
    const findings = analyzeBatch(batch, { ...DEFAULT_SETTINGS, threshold: 0.3 });
    expect(findings.map((f) => [f.emote, f.ratio])).toEqual([["😀", 0.7]]);
  });

  it("groups a batch spanning two minutes by UTC minute", () => {
    const batch = [
      ev("🔥", "2025-01-15T10:20:58Z"),
      ev("🔥", "2025-01-15T10:20:59Z"),
      ev("😀", "2025-01-15T10:20:59Z"),
      ev("😢", "2025-01-15T10:21:00Z"),
      ev("😀", "2025-01-15T10:21:01Z"),
      ev("😀", "2025-01-15T10:21:02Z"),
    ];
    expect(analyzeBatch(batch, DEFAULT_SETTINGS)).toEqual([
      { windowStartMs: at("2025-01-15T10:20:00Z"), emote: "😀", count: 1, total: 3, ratio: 1 / 3 },
      { windowStartMs: at("2025-01-15T10:20:00Z"), emote: "🔥", count: 2, total: 3, ratio: 2 / 3 },
      { windowStartMs: at("2025-01-15T10:21:00Z"), emote: "😀", count: 2, total: 3, ratio: 2 / 3 },
      { windowStartMs: at("2025-01-15T10:21:00Z"), emote: "😢", count: 1, total: 3, ratio: 1 / 3 },
    ]);
  });

  it("excludes disallowed emotes from the total", () => {
    // 🦄 is not allowed: 🔥 is 2 of 3 allowed, not 2 of 10.
    const batch = [
      ...Array(7).fill(ev("🦄", "2025-01-15T10:20:00Z")),
      ev("🔥", "2025-01-15T10:20:00Z"),
      ev("🔥", "2025-01-15T10:20:01Z"),
      ev("😀", "2025-01-15T10:20:02Z"),
    ];
    expect(analyzeBatch(batch, { ...DEFAULT_SETTINGS, threshold: 0.5 })).toEqual([
      { windowStartMs: at("2025-01-15T10:20:00Z"), emote: "🔥", count: 2, total: 3, ratio: 2 / 3 },
    ]);
  });

  it("finds nothing in a batch of only disallowed emotes", () => {
    expect(analyzeBatch([ev("🦄", "2025-01-15T10:20:00Z")], DEFAULT_SETTINGS)).toEqual([]);
  });
});

describe("OpenBatch with the threshold detector", () => {
  it("gives exactly what analyzeBatch gives on the same emotes, for any settings", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const emotes = [...DEFAULT_SETTINGS.allowedEmotes, "🦄", "🐸"];
    for (let round = 0; round < 200; round++) {
      const events = Array.from({ length: 1 + Math.floor(rand() * 60) }, () => ({
        emote: emotes[Math.floor(rand() * emotes.length)] as string,
        timestampMs: at("2025-01-15T10:20:00Z") + Math.floor(rand() * 180_000),
      }));
      const settings = {
        ...DEFAULT_SETTINGS,
        interval: events.length,
        threshold: 0.05 + rand() * 0.9,
        allowedEmotes: emotes
          .filter(() => rand() < 0.7)
          .concat("🔥")
          .filter((e, i, a) => a.indexOf(e) === i),
      };
      const open = new OpenBatch();
      for (const e of events) open.add(e.emote, e.timestampMs);
      expect(open.size).toBe(events.length);
      expect(thresholdDetector.detect(open.counts, settings)).toEqual(analyzeBatch(events, settings));
    }
  });
});

describe("momentId", () => {
  it("is the same for the same streamer, batch, minute and emote, and differs otherwise", () => {
    const minute = at("2025-01-15T10:20:00Z");
    expect(momentId("s1", 3, minute, "🔥")).toBe(momentId("s1", 3, minute, "🔥"));
    const others = [
      momentId("s2", 3, minute, "🔥"),
      momentId("s1", 4, minute, "🔥"),
      momentId("s1", 3, minute + 60_000, "🔥"),
      momentId("s1", 3, minute, "😀"),
    ];
    expect(new Set([momentId("s1", 3, minute, "🔥"), ...others]).size).toBe(5);
  });
});
