import { describe, expect, it } from "vitest";
import { inForm } from "./evaluate.ts";
import type { Corpus } from "./scenarios.ts";

const corpus: Corpus = {
  scenario: "quiet",
  records: [
    { streamerId: "s1", emote: "🔥", timestampMs: 10_999, arrivalMs: 10_999, viewer: "v1" },
    { streamerId: "s1", emote: "😮", timestampMs: 11_250, arrivalMs: 11_300, viewer: "v2" },
  ],
  labels: [{ streamerId: "s1", emote: "😮", onsetMs: 11_250, endMs: 20_999 }],
  streamerHours: 1,
  emotes: ["🔥", "😮"],
};

describe("inForm", () => {
  it("cuts timestamps and the labels alike to the resolution, and can drop every viewer", () => {
    const seconds = inForm(corpus, { resolutionMs: 1_000, anonymous: true });
    expect(seconds.records).toEqual([
      { streamerId: "s1", emote: "🔥", timestampMs: 10_000, arrivalMs: 10_999 },
      { streamerId: "s1", emote: "😮", timestampMs: 11_000, arrivalMs: 11_300 },
    ]);
    expect(seconds.labels).toEqual([{ streamerId: "s1", emote: "😮", onsetMs: 11_000, endMs: 20_000 }]);
    expect(inForm(corpus, { resolutionMs: 100 }).records.map((r) => [r.timestampMs, r.viewer])).toEqual([
      [10_900, "v1"],
      [11_200, "v2"],
    ]);
    expect(inForm(corpus, {})).toBe(corpus);
  });
});
