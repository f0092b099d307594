import { describe, expect, it } from "vitest";
import { ViewerSketch } from "./viewer-sketch.ts";
import { windowStatsSchema } from "./window-stats.ts";

const base = { streamerId: "s1", windowStart: "2026-12-06T20:00:00.000Z", counts: { "🔥": 2 }, total: 2 };
const sketch = (() => {
  const s = new ViewerSketch();
  s.addHash(1);
  return s.encode();
})();

function issues(value: unknown): string[] {
  const parsed = windowStatsSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("windowStatsSchema viewers", () => {
  it("is optional: a record of an older worker is valid", () => {
    expect(issues(base)).toEqual([]);
    expect(issues({ ...base, viewers: [{ bucketStart: "2026-12-06T20:00:50.000Z", sketch }] })).toEqual([]);
  });

  it("refuses a sketch that does not decode, saying why", () => {
    expect(
      issues({ ...base, viewers: [{ bucketStart: "2026-12-06T20:00:00.000Z", sketch: "sAAAW" }] }),
    ).toEqual(["viewers.0.sketch: a viewer sketch's register is above 21"]);
  });

  it("refuses a bucket outside its minute or off the 10 s grid", () => {
    for (const bucketStart of [
      "2026-12-06T20:01:00.000Z",
      "2026-12-06T19:59:50.000Z",
      "2026-12-06T20:00:05.000Z",
    ]) {
      expect(issues({ ...base, viewers: [{ bucketStart, sketch }] })).toEqual([
        "viewers.0.bucketStart: a viewer bucket starts on a 10 s boundary inside its window's minute",
      ]);
    }
  });
});
