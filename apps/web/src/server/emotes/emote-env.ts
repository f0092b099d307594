import { z } from "zod";

const whole = (max: number) => z.coerce.number().int().min(0).max(max);
const positive = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * How the gateway takes viewers' emotes (emotes.send; docs/security.md → Reactions). Shared
 * with the embedded mode, which runs the same web server.
 */
export const emoteEnvSchema = z.object({
  EMOTE_RATE_PER_SECOND: whole(100_000)
    .default(10)
    .describe("emotes.send per viewer (token sub, else client address) per second; 0 = no limit."),
  EMOTE_BURST: whole(100_000)
    .default(20)
    .describe("Most a viewer may send at once: a token bucket this big, refilled at the rate."),
  EMOTE_STREAMER_MAX_PER_SECOND: whole(10_000_000)
    .default(20_000)
    .describe(
      "Emotes per streamer per second one gateway takes; past it they are shed (TOO_MANY_REQUESTS). 0 = no cap.",
    ),
  EMOTE_QUEUE_MAX: positive(1_000_000)
    .default(20_000)
    .describe(
      "Emotes waiting for Kafka (queued or on the wire) per gateway at most; more get SERVICE_UNAVAILABLE at once.",
    ),
  EMOTE_LINGER_MS: whole(1_000)
    .default(2)
    .describe("How long an emote waits for others to share its produce request when none is on the wire."),
  EMOTE_BATCH_MAX: positive(100_000).default(2_000).describe("Records per produce request at most."),
  EMOTE_ACK_TIMEOUT_MS: positive(60_000)
    .default(2_000)
    .describe(
      "A produce request not acknowledged within this fails its emotes with SERVICE_UNAVAILABLE; " +
        "new ones are refused at once until Kafka answers again.",
    ),
  EMOTE_MAX_EVENT_LOOP_LAG_MS: whole(60_000)
    .default(1_000)
    .describe("Emotes are refused at once while the event loop runs later than this (smoothed); 0 = never."),
});
export type EmoteEnv = z.infer<typeof emoteEnvSchema>;

export interface EmoteOptions {
  perViewerPerSecond: number;
  perViewerBurst: number;
  perStreamerPerSecond: number;
  maxPending: number;
  lingerMs: number;
  maxBatch: number;
  ackTimeoutMs: number;
  maxEventLoopLagMs: number;
}

export function emoteOptionsOf(env: EmoteEnv): EmoteOptions {
  return {
    perViewerPerSecond: env.EMOTE_RATE_PER_SECOND,
    perViewerBurst: env.EMOTE_BURST,
    perStreamerPerSecond: env.EMOTE_STREAMER_MAX_PER_SECOND,
    maxPending: env.EMOTE_QUEUE_MAX,
    lingerMs: env.EMOTE_LINGER_MS,
    maxBatch: env.EMOTE_BATCH_MAX,
    ackTimeoutMs: env.EMOTE_ACK_TIMEOUT_MS,
    maxEventLoopLagMs: env.EMOTE_MAX_EVENT_LOOP_LAG_MS,
  };
}

/** The defaults, for servers started without an environment (tests, benches). */
export const DEFAULT_EMOTE_OPTIONS: EmoteOptions = emoteOptionsOf(emoteEnvSchema.parse({}));
