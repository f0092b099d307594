import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_STREAMER_ID, isStreamerId, STREAMER_ID_MESSAGE, streamerIdSchema } from "./streamer-id.ts";

describe("streamer ids", () => {
  it.each([DEFAULT_STREAMER_ID, "s1", "s100000", "sec-abc123-b", "bench-s3", "a", "A.b_c-d", "9".repeat(64)])(
    "accepts %s",
    (id) => {
      expect(isStreamerId(id)).toBe(true);
      expect(streamerIdSchema.parse(id)).toBe(id);
    },
  );

  it.each([
    ["", "empty"],
    ["..", "dots only"],
    [".", "one dot"],
    [".hidden", "a leading dot"],
    ["-rf", "a leading dash"],
    ["_x", "a leading underscore"],
    ["a b", "a space"],
    ["a/b", "a slash"],
    ["s\u202e1", "a bidi override"],
    ["stréamer", "a letter outside ASCII"],
    ["s".repeat(65), "65 characters"],
  ])("refuses %j (%s) with the one message", (id) => {
    expect(isStreamerId(id)).toBe(false);
    expect(streamerIdSchema.safeParse(id).error?.issues[0]?.message).toBe(STREAMER_ID_MESSAGE);
  });

  it("refuses a value that is not text with the same message", () => {
    expect(streamerIdSchema.safeParse(null).error?.issues[0]?.message).toBe(STREAMER_ID_MESSAGE);
  });

  it("accepts exactly the stated pattern", () => {
    const allowed = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
    const anyText = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_.-]{0,70}$/),
      fc.string({ maxLength: 70 }),
      fc.string({ unit: "binary", maxLength: 10 }),
    );
    fc.assert(
      fc.property(anyText, (id) => isStreamerId(id) === allowed.test(id)),
      { numRuns: 3_000 },
    );
  });
});
