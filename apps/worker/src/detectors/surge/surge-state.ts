import { z } from "zod";
import { surgeMomentSchema } from "../detector-types.ts";
import { MAX_VIEWERS_PER_EMOTE, RING_SECONDS } from "./emote-track.ts";
import { packSeconds, unpackSeconds } from "./viewer-seconds.ts";
import { MAX_CHATTERS_PER_STREAMER, MAX_EMOTES_PER_STREAMER, type SurgeState } from "./surge-detector.ts";

/**
 * The detector state as JSON, to be committed with the checkpoint. Maps become arrays of
 * entries, in their insertion order, so a restored detector iterates (and therefore
 * evicts and ends surges) exactly as the one that was saved.
 */
const ring = z.array(z.number()).length(RING_SECONDS);
const emoteStateSchema = z.object({
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
  surge: z.object({ moment: surgeMomentSchema, lastHotSec: z.number(), anonymous: z.number() }).nullable(),
  quietUntilMs: z.number(),
});
const streamerStateSchema = z.object({
  firstSec: z.number(),
  watermarkMs: z.number(),
  // Added without a new version: a checkpoint from before reads as "whole seconds so far",
  // which the stream's next records correct (see StreamerState.stepMs).
  stepMs: z.number().int().min(0).max(999).default(0),
  lastSweepSec: z.number(),
  emotes: z.array(z.tuple([z.string(), emoteStateSchema])).max(MAX_EMOTES_PER_STREAMER),
  chatters: z.array(z.tuple([z.number(), z.number()])).max(MAX_CHATTERS_PER_STREAMER),
  chattersPrunedSec: z.number(),
  totals: z.object({ sec: ring, weight: ring, baselineSum: z.number() }),
});
export const surgeStateJsonSchema = z.object({
  version: z.literal(4),
  streamers: z.array(z.tuple([z.string(), streamerStateSchema])),
});
export type SurgeStateJson = z.infer<typeof surgeStateJsonSchema>;

export function surgeStateToJson(state: SurgeState): SurgeStateJson {
  return {
    version: 4,
    streamers: [...state].map(([id, { surging: _derived, ...s }]) => [
      id,
      {
        ...s,
        chatters: [...s.chatters],
        emotes: [...s.emotes].map(([name, e]) => [
          name,
          {
            ...e,
            track: {
              ...e.track,
              viewers: [...e.track.viewers].map(([v, packed]) => [v, unpackSeconds(packed)]),
            },
          },
        ]),
      },
    ]),
  };
}

/** The state back from JSON (validated: a corrupt checkpoint is one readable error, not a wrong detector). */
export function surgeStateFromJson(json: unknown): SurgeState {
  const parsed = surgeStateJsonSchema.parse(json);
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
