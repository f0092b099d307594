import type { Highlight } from "./highlights.ts";
import { formatOffset } from "./stream-time.ts";

/** YouTube ignores chapters shorter than this. */
export const MIN_CHAPTER_MS = 10_000;
/** The most chapters exported: the strongest highlights, in time order. */
export const MAX_CHAPTERS = 50;

/**
 * A stream's highlights as YouTube chapter lines (`00:12:34 🔥 😂 highlight · 12 viewers`),
 * for a video description. YouTube wants the first chapter at 00:00:00 and each at least
 * 10 s long, so the list opens with the stream's start and a highlight closer than that
 * to the previous chapter is left out (the stronger ones are chosen first).
 */
export function youtubeChapters(highlights: readonly Highlight[], title = "Stream start"): string {
  const strongest = [...highlights].sort((a, b) => b.score - a.score).slice(0, MAX_CHAPTERS);
  const lines = [`${formatOffset(0)} ${oneLine(title)}`];
  let previous = 0;
  for (const h of strongest.sort((a, b) => a.offsetMs - b.offsetMs)) {
    if (h.offsetMs - previous < MIN_CHAPTER_MS) continue;
    previous = h.offsetMs;
    lines.push(`${formatOffset(h.offsetMs)} 🔥 ${oneLine(h.emote)} highlight · ${h.viewers} viewers`);
  }
  return `${lines.join("\n")}\n`;
}

/** A chapter title is one line: a line break in it would start a bogus chapter. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}
