import { describe, expect, it } from "vitest";
import { streamHours, timelineSlotMs, TIMELINE_SLOTS_MAX } from "./timeline-slots.ts";

const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

describe("timelineSlotMs", () => {
  it("keeps the 10 s buckets while they fit", () => {
    expect(timelineSlotMs(at(0), at(0), 720)).toBe(10_000);
    expect(timelineSlotMs(at(0), at(7_199_999), 720)).toBe(10_000);
  });

  it("widens to the smallest multiple of 10 s that fits", () => {
    // 2 h = 720 buckets of 10 s plus the one the last emote is in.
    expect(timelineSlotMs(at(0), at(7_200_000), 720)).toBe(20_000);
    // 12 h at the maximum: every bucket.
    expect(timelineSlotMs(at(0), at(12 * 3_600_000 - 1), TIMELINE_SLOTS_MAX)).toBe(10_000);
    // 48 h in 720 slots: 4 minutes each, 720 slots at most.
    const width = timelineSlotMs(at(0), at(48 * 3_600_000), 720);
    expect(width).toBe(250_000);
    expect(Math.floor((48 * 3_600_000) / width) + 1).toBeLessThanOrEqual(720);
  });

  it("never answers a zero or negative width", () => {
    expect(timelineSlotMs(at(1_000), at(0), 1)).toBe(10_000);
  });
});

describe("streamHours", () => {
  it("counts at least a minute", () => {
    expect(streamHours(at(0), at(0))).toBeCloseTo(1 / 60);
    expect(streamHours(at(0), at(5_400_000))).toBe(1.5);
  });
});
