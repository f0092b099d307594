import { analysisSettingsSchema } from "@emote/contracts";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeZodError } from "./errors.ts";
import { momentsHistoryInput } from "../router/moments.ts";
import { settingsUpdateInput } from "../router/settings.ts";

const messageOf = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("expected a failure");
  return describeZodError(parsed.error);
};

describe("describeZodError", () => {
  it("keeps a schema's own sentence, after the field's name", () => {
    expect(messageOf(analysisSettingsSchema.partial(), { threshold: 1 })).toBe(
      "threshold: Threshold must be a share above 0 and below 1 (0.3 is 30% of the emotes)",
    );
  });

  it("does not repeat a field's name that starts the schema's message", () => {
    expect(messageOf(z.object({ a: z.number().min(1, "a must be positive") }), { a: 0 })).toBe(
      "a: must be positive",
    );
  });

  it("names a streamer id that breaks the rule", () => {
    expect(messageOf(settingsUpdateInput, { streamerId: ".." })).toBe(
      "streamerId: A streamer id is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    );
  });

  it.each<[string, z.ZodType, unknown, string]>([
    ["a missing field", z.object({ a: z.string() }), {}, "a: is required"],
    ["a wrong type", z.object({ a: z.number() }), { a: "high" }, "a: must be a number"],
    ["a number over an inclusive maximum", momentsHistoryInput, { limit: 501 }, "limit: must be at most 500"],
    [
      "a string over its length",
      momentsHistoryInput,
      { emote: "x".repeat(65) },
      "emote: must be at most 64 characters",
    ],
    ["a bad date", momentsHistoryInput, { from: "yesterday" }, "from: must be a valid datetime"],
    [
      "year 0000",
      momentsHistoryInput,
      { from: "0000-01-01T00:00:00Z" },
      "from: must be a date between the years 1 and 9999",
    ],
    ["a NUL", momentsHistoryInput, { emote: "a\u0000b" }, "emote: must not contain NUL characters"],
    ["an unknown field", z.strictObject({ a: z.number() }), { a: 1, b: 2 }, "has unknown field b"],
  ])("turns %s into a sentence naming the field", (_what, schema, input, message) => {
    expect(messageOf(schema, input)).toBe(message);
  });

  it("joins several issues in one line", () => {
    expect(messageOf(momentsHistoryInput, { limit: 0, emote: "" })).toBe(
      "emote: must be at least 1 characters; limit: must be at least 1",
    );
  });
});
