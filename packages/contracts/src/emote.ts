import { z } from "zod";

/**
 * What an emote is, everywhere (settings, emotes.send, raw-emote-data): one emoji, or a
 * named emote written `:name:`. Plain words are not emotes ("hello" would become a button
 * that says "hello"), and neither are spaces, controls or bidi overrides, which would turn
 * a button or a log line into something else.
 *
 * - An emoji is one RGI emoji (Unicode's recommended set: single emoji, skin tones, flags,
 *   keycaps, ZWJ sequences such as 👩‍💻), or one pictographic code point with an optional
 *   presentation selector (❤ and ❤️ both). Both are a single grapheme cluster.
 * - A named emote is `:` + 1 to 32 of `A–Z a–z 0–9 _ + -` + `:`, as in `:pogchamp:`.
 */
// Built with `new RegExp`: the `v` flag (for \p{RGI_Emoji}) is newer than the TypeScript target.
const EMOJI = new RegExp("^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic}[\\uFE0E\\uFE0F]?)$", "v");
const NAMED_EMOTE = /^:[A-Za-z0-9_+-]{1,32}:$/;

/** Longest emote in UTF-16 units (a named emote is at most 34; ZWJ families are about 11). */
export const EMOTE_MAX_LENGTH = 64;

/** Emotes already found to be emotes: a stream repeats a handful, and the emoji check is the costly part. */
const knownEmotes = new Set<string>();
const KNOWN_EMOTES_MAX = 4_096;

export function isEmote(s: string): boolean {
  if (knownEmotes.has(s)) return true;
  if (s.length === 0 || s.length > EMOTE_MAX_LENGTH || !(NAMED_EMOTE.test(s) || EMOJI.test(s))) return false;
  if (knownEmotes.size >= KNOWN_EMOTES_MAX) knownEmotes.clear();
  knownEmotes.add(s);
  return true;
}

/** The one message for anything that is not an emote, in a streamer's words. */
export const NOT_AN_EMOTE_MESSAGE =
  "An emote is one emoji (such as 🔥) or a named emote written :name: (letters, digits, _ + -, up to 32)";

export const emoteSchema = z.string({ error: NOT_AN_EMOTE_MESSAGE }).refine(isEmote, NOT_AN_EMOTE_MESSAGE);
