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
});
