import { z } from "zod";

const whole = (max: number) => z.coerce.number().int().min(0).max(max);
const positive = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * How the gateway takes viewers' emotes (emotes.send; docs/SECURITY.md → Reactions). Shared
 * with the embedded mode, which runs the same web server.
 */
export const emoteEnvSchema = z.object({
  /** emotes.send per viewer (token sub, else client address) per second; 0 = no limit. */
  EMOTE_RATE_PER_SECOND: whole(100_000).default(10),
  /** Most a viewer may send at once: a token bucket this big, refilled at the rate. */
  EMOTE_BURST: whole(100_000).default(20),
  /** Emotes per streamer per second one gateway takes; past it they are shed. 0 = no cap. */
  EMOTE_STREAMER_MAX_PER_SECOND: whole(10_000_000).default(20_000),
  /** Emotes waiting for Kafka (queued or on the wire) per gateway at most. */
  EMOTE_QUEUE_MAX: positive(1_000_000).default(20_000),
  /** How long an emote waits for others to share its produce request when none is on the wire. */
  EMOTE_LINGER_MS: whole(1_000).default(2),
  /** Records per produce request at most. */
  EMOTE_BATCH_MAX: positive(100_000).default(2_000),
  /** A produce request not acknowledged within this fails its emotes with SERVICE_UNAVAILABLE. */
  EMOTE_ACK_TIMEOUT_MS: positive(60_000).default(2_000),
  /** Emotes are refused at once while the event loop runs later than this (smoothed); 0 = never. */
  EMOTE_MAX_EVENT_LOOP_LAG_MS: whole(60_000).default(1_000),
  /** How long a streamer's allowed emotes are remembered before they are read again. */
  EMOTE_SETTINGS_CACHE_MS: positive(3_600_000).default(2_000),
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
  settingsCacheMs: number;
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
    settingsCacheMs: env.EMOTE_SETTINGS_CACHE_MS,
  };
}

/** The defaults, for servers started without an environment (tests, benches). */
export const DEFAULT_EMOTE_OPTIONS: EmoteOptions = emoteOptionsOf(emoteEnvSchema.parse({}));
