import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, analysisSettingsSchema } from "./settings.ts";

describe("analysisSettingsSchema", () => {
  it("accepts the defaults", () => {
    expect(analysisSettingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    [{ interval: 0 }, "interval"],
    [{ interval: 1.5 }, "interval"],
    [{ interval: 10_001 }, "interval"],
    [{ threshold: 0 }, "threshold"],
    [{ threshold: 1 }, "threshold"],
    [{ allowedEmotes: [] }, "allowedEmotes"],
    [{ allowedEmotes: ["🔥", "🔥"] }, "allowedEmotes"],
    [{ allowedEmotes: ["x".repeat(17)] }, "allowedEmotes"],
    [{ allowedEmotes: ["\u00e9", "e\u0301"] }, "allowedEmotes"],
    [{ allowedEmotes: ["a\u0000b"] }, "allowedEmotes"],
    [{ allowedEmotes: ["\ud83d"] }, "allowedEmotes"],
    [{ allowedEmotes: ["hello", "world", "🔥"] }, "allowedEmotes"],
    [{ allowedEmotes: [" "] }, "allowedEmotes"],
    [{ allowedEmotes: ["\u202e"] }, "allowedEmotes"],
  ])("rejects %j naming %s", (patch, field) => {
    const r = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });

  it.each([0, 1.5, 10_001, -3, null, "30", undefined])("says the one interval message for %j", (interval) => {
    const r = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, interval });
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      "Interval must be a whole number of emotes from 1 to 10,000",
    ]);
  });

  it.each([0, 1, -0.5, 2, null, "0.3", Number.NaN])("says the one threshold message for %j", (threshold) => {
    const r = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, threshold });
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      "Threshold must be a share above 0 and below 1 (0.3 is 30% of the emotes)",
    ]);
  });

  it.each([[[]], [null], ["🔥"], [Array.from({ length: 65 }, (_, i) => `:e${i}:`)]])(
    "says the one allowed-emotes message for %j",
    (allowedEmotes) => {
      const r = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, allowedEmotes });
      expect(r.error?.issues.map((i) => i.message)).toEqual([
        "Allowed emotes must be a list of 1 to 64 emotes",
      ]);
    },
  );

  it("names a duplicate and an emote that is not one in a streamer's words", () => {
    const dup = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, allowedEmotes: ["🔥", "🔥"] });
    expect(dup.error?.issues[0]?.message).toBe("Allowed emotes must not list the same emote twice");
    const word = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, allowedEmotes: ["🔥", "hello"] });
    expect(word.error?.issues[0]).toMatchObject({
      path: ["allowedEmotes", 1],
      message: expect.stringMatching(/^An emote is one emoji/),
    });
  });
});
