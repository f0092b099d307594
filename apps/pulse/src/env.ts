import { kafkaEnvSchema, parseEnv } from "@emote/config";
import { webServerEnvSchema } from "@emote/web/server";
import { z } from "zod";

export const pulseEnvSchema = kafkaEnvSchema
  // The web server's variables (gateway, secret, per-client limits, logs), under the same
  // names as in distributed mode.
  .extend(webServerEnvSchema.shape)
  .extend({
    /** Set → that PostgreSQL; unset → the embedded one in PULSE_DATA_DIR. */
    DATABASE_URL: z.url().optional(),
    /** Embedded PostgreSQL data and, without AUTH_SECRET on loopback, the generated token secret. */
    PULSE_DATA_DIR: z.string().min(1).default(".data"),
    /** With Kafka, the worker's consumer group: the one distributed workers use, by default. */
    WORKER_GROUP_ID: z.string().min(1).default("emote-worker"),
    /** The built-in generator: ticks per second for streamer "default" (0 = no generator). */
    PULSE_GENERATOR_RATE: z.coerce.number().min(0).max(1_000).default(10),
  });
export type PulseEnv = z.infer<typeof pulseEnvSchema>;

export function readPulseEnv(source: Record<string, string | undefined> = process.env): PulseEnv {
  return parseEnv(pulseEnvSchema, source);
}

/** What --help prints: every variable the schema reads, named (configuration.test.ts checks). */
export const HELP = `Usage: npm start

Runs Emote Pulse in one process: the emote generator, the analysis worker and the web
server (dashboard, API, live subscriptions, /metrics, /healthz, /readyz) on
http://127.0.0.1:3000.
Without KAFKA_BROKERS it uses an in-process bus; without DATABASE_URL an embedded
PostgreSQL (PGlite) whose data stays in .data/ (settings and history survive restarts).
Environment: PORT (3000), HOST, KAFKA_BROKERS, KAFKA_PORT, KAFKA_PARTITIONS (6),
KAFKA_TOPIC_PREFIX, WORKER_GROUP_ID (emote-worker, with Kafka), DATABASE_URL, PULSE_DATA_DIR
(.data), PULSE_GENERATOR_RATE (10 ticks/s, 0 = off), AUTH_SECRET (unset on loopback: made once
and kept in PULSE_DATA_DIR/auth-secret; required off loopback), AUTH_TOKEN_MAX_LIFETIME_SECONDS,
NODE_ENV (production refuses the development secret), ALLOWED_ORIGINS, ALLOWED_HOSTS,
WEB_STATIC_DIR, RATE_LIMIT_MUTATIONS_PER_MINUTE, RATE_LIMIT_CONNECTIONS_PER_MINUTE, LOG_LEVEL
(info), LOG_FORMAT (json | pretty; default pretty on a terminal), OTEL_EXPORTER_OTLP_ENDPOINT.
Per-client limits, as the web server's (docs/SECURITY.md): WS_BUFFER_BYTES, WS_LAG_MS,
WS_PING_INTERVAL_MS, WS_PONG_TIMEOUT_MS, WS_IDLE_TIMEOUT_MS, WS_MAX_SUBSCRIPTIONS,
WS_MAX_CONNECTIONS_PER_ADDRESS, HTTP_MAX_BODY_BYTES, HTTP_MAX_BATCH_SIZE,
HISTORY_MAX_ITEMS_PER_REQUEST, HTTP_REQUEST_TIMEOUT_MS, HTTP_IDLE_TIMEOUT_MS.
Reactions (emotes.send), as the web server's: EMOTE_RATE_PER_SECOND (10 per viewer),
EMOTE_BURST (20), EMOTE_STREAMER_MAX_PER_SECOND (20000), EMOTE_QUEUE_MAX (20000),
EMOTE_LINGER_MS (2), EMOTE_BATCH_MAX (2000), EMOTE_ACK_TIMEOUT_MS (2000),
EMOTE_MAX_EVENT_LOOP_LAG_MS (1000, 0 = off), EMOTE_SETTINGS_CACHE_MS (2000).
PULSE_GENERATOR_RATE=0 leaves only real viewers' reactions.
Development tokens (one per role, valid 12 h) are written to PULSE_DATA_DIR/tokens on every
start (owner-only; the log says where) and printed too when the output is a terminal.
`;
