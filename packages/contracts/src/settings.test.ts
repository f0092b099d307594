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
    [{ allowedEmotes: ["a\u0000b"] }, "allowedEmotes"],
    [{ allowedEmotes: ["\ud83d"] }, "allowedEmotes"],
    [{ allowedEmotes: ["\u00e9", "e\u0301"] }, "allowedEmotes"],
  ])("rejects %j naming %s", (patch, field) => {
    const r = analysisSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });
});
