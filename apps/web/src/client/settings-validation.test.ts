import { analysisSettingsSchema } from "@emote/contracts";
import { describe, expect, it } from "vitest";
import {
  checkSettingsField,
  plainSettingsMessage,
  serverSettingsMessage,
  SETTINGS_RULES,
} from "./settings-validation.ts";

/** The schema's own message for a value, whatever its wording is today. */
const schemaMessage = (field: "interval" | "threshold", value: number) =>
  analysisSettingsSchema.shape[field].safeParse(value).error?.issues[0]?.message;

describe("settings rules", () => {
  it("read the bounds from the schema, in words", () => {
    expect(SETTINGS_RULES.interval).toBe("a whole number from 1 to 10,000");
    expect(SETTINGS_RULES.threshold).toBe("a number above 0 and below 1, like 0.3 for 30%");
  });
});

describe("checkSettingsField", () => {
  it("accepts what the server accepts", () => {
    expect(checkSettingsField("interval", 30)).toBeUndefined();
    expect(checkSettingsField("threshold", 0.25)).toBeUndefined();
    expect(checkSettingsField("allowedEmotes", ["🔥", "😀"])).toBeUndefined();
  });

  it("names the field in plain words where zod would speak its own (empty, out of range)", () => {
    expect(checkSettingsField("interval", Number.NaN)).toBe(
      "Interval must be a whole number of emotes from 1 to 10,000",
    );
    expect(checkSettingsField("threshold", Number.NaN)).toBe(
      "Threshold must be a share above 0 and below 1 (0.3 is 30% of the emotes)",
    );
    for (const value of [0, 10_001, 1.5]) {
      expect(checkSettingsField("interval", value)).toMatch(/^Interval |^interval /);
      expect(checkSettingsField("interval", value)).not.toMatch(/Too (small|big)|expected/);
    }
  });

  it("uses the schema's own message where it has one, as the server would", () => {
    expect(checkSettingsField("threshold", 1.5)).toBe(schemaMessage("threshold", 1.5));
    expect(checkSettingsField("interval", 1.5)).toBe(schemaMessage("interval", 1.5));
  });
});

describe("serverSettingsMessage", () => {
  it("puts zod's own wording into the field's plain sentence and keeps the schema's", () => {
    expect(serverSettingsMessage("interval", "Too small: expected number to be >=1")).toBe(
      plainSettingsMessage("interval"),
    );
    expect(serverSettingsMessage("threshold", "Invalid input: expected number, received null")).toBe(
      plainSettingsMessage("threshold"),
    );
    const own = schemaMessage("threshold", 1.5);
    expect(serverSettingsMessage("threshold", own)).toBe(own);
    expect(serverSettingsMessage("interval", undefined)).toBeUndefined();
  });
});
