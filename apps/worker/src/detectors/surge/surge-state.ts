import { z } from "zod";
import { surgeMomentSchema } from "../detector-types.ts";
import type { ChatTotals } from "./chat-totals.ts";
import { MAX_VIEWERS_PER_EMOTE, RING_SECONDS, type EmoteTrack } from "./emote-track.ts";
import { NumberColumn, readNumberColumn } from "./number-column.ts";
import { packSeconds } from "./viewer-seconds.ts";
import {
  MAX_CHATTERS_PER_STREAMER,
  MAX_EMOTES_PER_STREAMER,
  type ActiveSurge,
  type SurgeState,
} from "./surge-detector.ts";

// The detector state as JSON, to be committed with the checkpoint (version 5). Maps become
// lists in their insertion order, so a restored detector iterates (and therefore evicts
// and ends surges) exactly as the one that was saved. The numbers of the emotes' tracks,
// their viewers, the chatters and the chat totals are number columns (number-column.ts):
// converting them to decimal was most of JSON.stringify's time. Version 4 (the same state,
// every number in JSON) is still read, so a worker upgraded mid-stream keeps its baselines.

/** A track's column: its five rings, then its scalars, in `EmoteTrack`'s order (`trackColumn`). */
const TRACK_NUMBERS = 5 * RING_SECONDS + 9;
const TOTALS_NUMBERS = 2 * RING_SECONDS + 1;

const column = z.base64();
const activeSurgeSchema = z.object({
  moment: surgeMomentSchema,
  lastHotSec: z.number(),
  anonymous: z.number(),
});
const emoteStateSchema = z.strictObject({
  /** The track's rings and scalars (`trackColumn`). */
  track: column,
  /** Viewer hash, packed counted seconds (viewer-seconds.ts); pair after pair. */
  viewers: column,
  surge: activeSurgeSchema.nullable(),
  quietUntilMs: z.number(),
});
const streamerStateSchema = z.strictObject({
  firstSec: z.number(),
  watermarkMs: z.number(),
  stepMs: z.number().int().min(0).max(999),
  lastSweepSec: z.number(),
  emotes: z.array(z.tuple([z.string(), emoteStateSchema])).max(MAX_EMOTES_PER_STREAMER),
  /** Viewer hash, last second seen; pair after pair. */
  chatters: column,
  chattersPrunedSec: z.number(),
  /** The totals' seconds, weights, then their baseline sum. */
  totals: column,
});
const surgeStateJsonSchema = z.strictObject({
  version: z.literal(5),
  streamers: z.array(z.tuple([z.string(), streamerStateSchema])),
});
export type SurgeStateJson = z.infer<typeof surgeStateJsonSchema>;

const ring = z.array(z.number()).length(RING_SECONDS);
const emoteStateV4Schema = z.object({
  track: z.object({
    ringSec: ring,
    ringWeight: ring,
    ringAnon: ring,
    ringFresh: ring,
    ringRepeat: ring,
    consumedSec: z.number(),
    rate: z.number(),
    variance: z.number(),
    freshRate: z.number(),
    repeatRate: z.number(),
    lastSeenSec: z.number(),
    viewers: z.array(z.tuple([z.number(), z.array(z.number())])).max(MAX_VIEWERS_PER_EMOTE),
    frozenFromSec: z.number(),
    frozenThroughSec: z.number(),
    prunedSec: z.number(),
  }),
  surge: activeSurgeSchema.nullable(),
  quietUntilMs: z.number(),
});
const surgeStateV4Schema = z.object({
  version: z.literal(4),
  streamers: z.array(
    z.tuple([
      z.string(),
      z.object({
        firstSec: z.number(),
        watermarkMs: z.number(),
        // A version 4 checkpoint stored before stepMs was kept reads as "whole seconds so far", which the
        // stream's next records correct (see StreamerState.stepMs).
        stepMs: z.number().int().min(0).max(999).default(0),
        lastSweepSec: z.number(),
        emotes: z.array(z.tuple([z.string(), emoteStateV4Schema])).max(MAX_EMOTES_PER_STREAMER),
        chatters: z.array(z.tuple([z.number(), z.number()])).max(MAX_CHATTERS_PER_STREAMER),
        chattersPrunedSec: z.number(),
        totals: z.object({ sec: ring, weight: ring, baselineSum: z.number() }),
      }),
    ]),
  ),
});

const anyVersionSchema = z.discriminatedUnion("version", [surgeStateJsonSchema, surgeStateV4Schema]);

/**
 * The state's JSON text (a `SurgeStateJson`), written out rather than through
 * `JSON.stringify`, which scans every character of a string for escapes (about 3 ns each on
 * Node 20): the columns are most of the text and base64 holds nothing to escape.
 */
export function surgeStateToText(state: SurgeState): string {
  const streamers: string[] = [];
  for (const [id, s] of state) {
    const emotes: string[] = [];
    for (const [name, e] of s.emotes) {
      emotes.push(
        `[${JSON.stringify(name)},{"track":"${trackColumn(e.track)}","viewers":"${pairColumn(e.track.viewers)}",` +
          `"surge":${JSON.stringify(e.surge)},"quietUntilMs":${number(e.quietUntilMs)}}]`,
      );
    }
    streamers.push(
      `[${JSON.stringify(id)},{"firstSec":${number(s.firstSec)},"watermarkMs":${number(s.watermarkMs)},` +
        `"stepMs":${number(s.stepMs)},"lastSweepSec":${number(s.lastSweepSec)},"emotes":[${emotes.join(",")}],` +
        `"chatters":"${pairColumn(s.chatters)}","chattersPrunedSec":${number(s.chattersPrunedSec)},` +
        `"totals":"${totalsColumn(s.totals)}"}]`,
    );
  }
  return `{"version":5,"streamers":[${streamers.join(",")}]}`;
}

/** A number as JSON writes it (not finite: null, which the schema then refuses). */
function number(n: number): string {
  return JSON.stringify(n);
}

/** The state back from JSON (validated: a corrupt checkpoint is one readable error, not a wrong detector). */
export function surgeStateFromJson(json: unknown): SurgeState {
  const parsed = anyVersionSchema.parse(json);
  if (parsed.version === 4) return fromVersion4(parsed);
  return new Map(
    parsed.streamers.map(([id, s]) => [
      id,
      {
        firstSec: s.firstSec,
        watermarkMs: s.watermarkMs,
        stepMs: s.stepMs,
        lastSweepSec: s.lastSweepSec,
        emotes: new Map(
          s.emotes.map(([name, e]) => [
            name,
            {
              track: trackFrom(e.track, e.viewers),
              surge: e.surge satisfies ActiveSurge | null,
              quietUntilMs: e.quietUntilMs,
            },
          ]),
        ),
        chatters: pairsFrom(s.chatters, MAX_CHATTERS_PER_STREAMER),
        chattersPrunedSec: s.chattersPrunedSec,
        totals: totalsFrom(s.totals),
        // Last, as the detector creates a streamer: the hot code sees one shape.
        surging: s.emotes.filter(([, e]) => e.surge !== null).length,
      },
    ]),
  );
}

function trackColumn(t: EmoteTrack): string {
  const c = new NumberColumn(TRACK_NUMBERS);
  c.pushAll(t.ringSec);
  c.pushAll(t.ringWeight);
  c.pushAll(t.ringAnon);
  c.pushAll(t.ringFresh);
  c.pushAll(t.ringRepeat);
  c.push(t.consumedSec);
  c.push(t.rate);
  c.push(t.variance);
  c.push(t.freshRate);
  c.push(t.repeatRate);
  c.push(t.lastSeenSec);
  c.push(t.frozenFromSec);
  c.push(t.frozenThroughSec);
  c.push(t.prunedSec);
  return c.toBase64();
}

/** Read in `trackColumn`'s order; built with `newEmoteTrack`'s keys in its order, so the hot code sees one shape. */
function trackFrom(text: string, viewers: string): EmoteTrack {
  const numbers = readNumberColumn(text, { count: TRACK_NUMBERS });
  let at = 0;
  const ring = () => numbers.slice(at, (at += RING_SECONDS));
  const next = () => numbers[at++] as number;
  return {
    ringSec: ring(),
    ringWeight: ring(),
    ringAnon: ring(),
    ringFresh: ring(),
    ringRepeat: ring(),
    consumedSec: next(),
    rate: next(),
    variance: next(),
    freshRate: next(),
    repeatRate: next(),
    lastSeenSec: next(),
    viewers: pairsFrom(viewers, MAX_VIEWERS_PER_EMOTE),
    frozenFromSec: next(),
    frozenThroughSec: next(),
    prunedSec: next(),
  };
}

function pairColumn(pairs: Map<number, number>): string {
  const c = new NumberColumn(pairs.size * 2);
  for (const [key, value] of pairs) {
    c.push(key);
    c.push(value);
  }
  return c.toBase64();
}

function pairsFrom(text: string, maxPairs: number): Map<number, number> {
  const numbers = readNumberColumn(text, { multipleOf: 2, max: maxPairs * 2 });
  const pairs = new Map<number, number>();
  for (let i = 0; i < numbers.length; i += 2) pairs.set(numbers[i] as number, numbers[i + 1] as number);
  return pairs;
}

function totalsColumn(totals: ChatTotals): string {
  const c = new NumberColumn(TOTALS_NUMBERS);
  c.pushAll(totals.sec);
  c.pushAll(totals.weight);
  c.push(totals.baselineSum);
  return c.toBase64();
}

function totalsFrom(text: string): ChatTotals {
  const numbers = readNumberColumn(text, { count: TOTALS_NUMBERS });
  return {
    sec: numbers.slice(0, RING_SECONDS),
    weight: numbers.slice(RING_SECONDS, 2 * RING_SECONDS),
    baselineSum: numbers[2 * RING_SECONDS] as number,
  };
}

function fromVersion4(parsed: z.infer<typeof surgeStateV4Schema>): SurgeState {
  return new Map(
    parsed.streamers.map(([id, s]) => [
      id,
      {
        ...s,
        surging: s.emotes.filter(([, e]) => e.surge !== null).length,
        chatters: new Map(s.chatters),
        emotes: new Map(
          s.emotes.map(([name, e]) => [
            name,
            {
              ...e,
              track: {
                ...e.track,
                viewers: new Map(e.track.viewers.map(([v, counted]) => [v, packSeconds(counted)])),
              },
            },
          ]),
        ),
      },
    ]),
  );
}
