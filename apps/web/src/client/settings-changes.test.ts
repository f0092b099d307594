import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { describeChange } from "./settings-changes.ts";

const base = { ...DEFAULT_SETTINGS, interval: 30, threshold: 0.3, allowedEmotes: ["🔥", "😀"] };

describe("describeChange", () => {
  it("names each field that changed with its values before and after", () => {
    expect(describeChange(base, { ...base, threshold: 0.25, allowedEmotes: ["🔥"] })).toEqual([
      { field: "threshold", before: "0.3", after: "0.25" },
      { field: "allowedEmotes", before: "🔥 😀", after: "🔥" },
    ]);
  });

  it("sees a reordering of the emotes as a change and an identical save as none", () => {
    expect(describeChange(base, { ...base, allowedEmotes: ["😀", "🔥"] })).toHaveLength(1);
    expect(describeChange(base, { ...base })).toEqual([]);
  });

  it("names detector and surge changes, and reads a field an older audit row lacks as —", () => {
    expect(
      describeChange(base, { ...base, detectors: ["surge"], surge: { ...base.surge, minViewers: 5 } }),
    ).toEqual([
      { field: "detectors", before: "threshold and surge", after: "surge" },
      {
        field: "surge",
        before: "sensitivity 0.5, at least 3 viewers, cooldown 20 s",
        after: "sensitivity 0.5, at least 5 viewers, cooldown 20 s",
      },
    ]);
    const { detectors: _d, surge: _s, ...older } = base;
    expect(describeChange(older, base).map((c) => [c.field, c.before])).toEqual([
      ["detectors", "—"],
      ["surge", "—"],
    ]);
  });
});
