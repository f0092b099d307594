import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_EMOTES } from "./settings.ts";
import { emoteSchema, isEmote, NOT_AN_EMOTE_MESSAGE } from "./emote.ts";

const EMOJI_SAMPLES = ["❤", "👩‍💻", "👍🏽", "🇫🇷", "1️⃣", "#️⃣", "🫠"];
const NAMED_SAMPLES = [":pogchamp:", ":+1:", ":a:", ":LUL_2-x:", `:${"k".repeat(32)}:`];

describe("isEmote", () => {
  it.each([...DEFAULT_EMOTES, ...EMOJI_SAMPLES, ...NAMED_SAMPLES])("accepts %s", (emote) => {
    expect(isEmote(emote)).toBe(true);
  });

  it.each([
    ["", "empty"],
    [" ", "a space"],
    ["\u202e", "a right-to-left override"],
    ["🔥\u202e", "an emoji followed by a bidi override"],
    ["\u200f🔥", "a right-to-left mark before an emoji"],
    ["hello", "a word"],
    ["hello world 🔥", "words and an emoji"],
    ["🔥🔥", "two emoji"],
    ["🔥 ", "an emoji and a space"],
    ["a", "a letter"],
    ["1", "a digit"],
    [":hello world:", "a name with a space"],
    ["::", "an empty name"],
    [`:${"k".repeat(33)}:`, "a name over 32 characters"],
    [":é:", "a name outside ASCII"],
    ["\ud83d", "a lone surrogate"],
    ["a\u0000b", "U+0000"],
    ["\u0007", "a control character"],
    ["e\u0301", "a letter with a combining accent"],
  ])("refuses %j (%s)", (text) => {
    expect(isEmote(text)).toBe(false);
    expect(emoteSchema.safeParse(text).error?.issues[0]?.message).toBe(NOT_AN_EMOTE_MESSAGE);
  });

  it("accepts every named emote of the stated pattern", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^:[A-Za-z0-9_+-]{1,32}:$/), (name) => isEmote(name)),
      { numRuns: 500 },
    );
  });

  it("accepts every default emote with any of the five skin tones where Unicode defines one", () => {
    const tones = ["🏻", "🏼", "🏽", "🏾", "🏿"];
    fc.assert(fc.property(fc.constantFrom(...tones), (tone) => isEmote(`👍${tone}`)));
  });

  it("refuses anything with whitespace, a control or a bidi control in it", () => {
    const forbidden = fc.constantFrom(
      " ",
      "\t",
      "\n",
      "\u00a0",
      "\u0000",
      "\u007f",
      "\u0085",
      "\u200e",
      "\u200f",
      "\u202a",
      "\u202e",
      "\u2066",
      "\u2069",
      "\u061c",
    );
    const around = fc.oneof(fc.constantFrom("", "🔥", ":x:", ":", "❤"), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(around, forbidden, around, (before, bad, after) => !isEmote(before + bad + after)),
      { numRuns: 2_000 },
    );
  });

  it("refuses any text of letters and digits only (a word is not an emote)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\p{L}\p{N}]{1,40}$/u), (word) => !isEmote(word)),
      {
        numRuns: 1_000,
      },
    );
  });

  it("refuses two emotes side by side", () => {
    const one = fc.constantFrom(...DEFAULT_EMOTES, ...EMOJI_SAMPLES);
    fc.assert(fc.property(one, one, (a, b) => !isEmote(a + b)));
  });
});
