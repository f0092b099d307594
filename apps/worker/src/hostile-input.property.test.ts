import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  DLQ_REASONS,
  isEmote,
  isStorableId,
  isStorableText,
  isStreamerId,
  momentSchema,
  timestampWindow,
} from "@emote/contracts";
import { packValues, parseBatch, type ParsedBatch } from "./parse-batch.ts";
import { StreamerBatch } from "./analysis/index.ts";
import { WindowStatsTracker } from "./window-stats.ts";
import { hostileEmote } from "../test/hostile-emotes.ts";

const NOW = Date.UTC(2026, 5, 1);
const window = timestampWindow(undefined, NOW);
const runs = { numRuns: 300 };

/** Whatever the parser says of `values`: every value good or refused with a known reason. */
function parsedSoundly(values: (Uint8Array | null)[]): ParsedBatch {
  const parsed = parseBatch(packValues(values), window);
  values.forEach((_, i) => {
    if (parsed.good[i] === 1) return;
    expect(DLQ_REASONS).toContain(parsed.reasons[i]?.reason);
  });
  return parsed;
}

/** Every accepted emote of `parsed` is storable, and the analysis turns them into valid moments. */
function analysedSoundly(parsed: ParsedBatch, n: number): void {
  // Every emote allowed and every emote closing a batch: each accepted one makes a moment.
  const settings = { ...DEFAULT_SETTINGS, interval: 1, threshold: 0.01, allowedEmotes: parsed.emotes };
  const stats = new WindowStatsTracker();
  stats.boundAhead(NOW);
  for (let i = 0; i < n; i++) {
    if (parsed.good[i] !== 1) continue;
    const emote = parsed.emotes[parsed.emote[i] as number] as string;
    const streamerId = parsed.streamers[parsed.streamer[i] as number] as string;
    const timestampMs = parsed.timestampMs[i] as number;
    expect(isStorableText(emote) && isStorableId(streamerId)).toBe(true);
    expect(isEmote(emote) && isStreamerId(streamerId)).toBe(true);
    expect(timestampMs >= window.earliestMs && timestampMs <= window.latestMs).toBe(true);
    stats.add(streamerId, emote, timestampMs);
    const moments = new StreamerBatch(streamerId).add(emote, timestampMs, settings, undefined) ?? [];
    expect(moments).toHaveLength(1);
    for (const m of moments) expect(momentSchema.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
  }
  for (const s of stats.take(NOW)) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
}

describe("the worker's parser and analysis under hostile input (fast-check)", () => {
  it("never throw on random bytes, and refuse what they do not accept with a known reason", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.uint8Array({ maxLength: 512 }), { nil: null }), { maxLength: 20 }),
        (values) => {
          analysedSoundly(parsedSoundly(values), values.length);
        },
      ),
      runs,
    );
  });

  it("never throw on random JSON", () => {
    fc.assert(
      fc.property(fc.array(fc.json({ maxDepth: 4 }), { maxLength: 20 }), (texts) => {
        const values = texts.map((t) => Buffer.from(t));
        analysedSoundly(parsedSoundly(values), values.length);
      }),
      runs,
    );
  });

  it("accept only emotes and streamer ids by the contract's rules, with timestamps in the window, whatever the strings and dates", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(hostileEmote, { minLength: 1, maxLength: 30 }), (emotes) => {
        const values = emotes.map((e) => Buffer.from(JSON.stringify(e)));
        const parsed = parsedSoundly(values);
        analysedSoundly(parsed, values.length);
        for (const g of parsed.good) {
          if (g === 1) accepted++;
          else refused++;
        }
      }),
      runs,
    );
    // Not vacuous: both sides of the rules were exercised (the split varies with the random seed).
    expect(Math.min(accepted, refused)).toBeGreaterThan(20);
  });
});
