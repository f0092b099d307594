import {
  authEnvSchema,
  databaseEnvSchema,
  gatewayEnvSchema,
  kafkaEnvSchema,
  observabilityEnvSchema,
  parseEnv,
  requireAuthSecret,
} from "@emote/config";
import { z } from "zod";
import { emoteEnvSchema } from "./emotes/emote-env.ts";

const count = (max: number) => z.coerce.number().int().min(1).max(max);
const ms = z.coerce.number().int().min(1).max(86_400_000);

/**
 * What one client may take of the server (docs/SECURITY.md → Per-client limits). Shared
 * with the embedded mode (apps/pulse), which runs the same web server.
 */
export const clientLimitsEnvSchema = z.object({
  /**
   * Bytes a WebSocket may have waiting to go out, every frame counted (1 MiB). At least
   * 64 KiB: writers wait for the TCP socket's 'drain', which Node emits only past 16 KiB.
   */
  WS_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1 << 30)
    .default(1 << 20),
  /** A socket that had a frame dropped is terminated at the latest this long after (2 s). */
  WS_LAG_MS: ms.default(2_000),
  /** Server ping interval; a client that does not answer within WS_PONG_TIMEOUT_MS is dropped. */
  WS_PING_INTERVAL_MS: ms.default(30_000),
  WS_PONG_TIMEOUT_MS: ms.default(10_000),
  /** A WebSocket with no subscription that sends nothing for this long is closed (5 min). */
  WS_IDLE_TIMEOUT_MS: ms.default(300_000),
  WS_MAX_SUBSCRIPTIONS: count(10_000).default(16),
  /** Open WebSockets per client address (a proxy in front counts as one address). */
  WS_MAX_CONNECTIONS_PER_ADDRESS: count(1_000_000).default(32),
  /** Request bodies over this are refused with 413 before they are read (256 KiB). */
  HTTP_MAX_BODY_BYTES: count(1 << 30).default(256 * 1024),
  /** Calls in one HTTP batch (tRPC's maxBatchSize). */
  HTTP_MAX_BATCH_SIZE: count(10_000).default(50),
  /** Moments moments.history may return for one HTTP batch or one WebSocket's calls in flight. */
  HISTORY_MAX_ITEMS_PER_REQUEST: count(1_000_000).default(1_000),
  /** Whole HTTP request, headers and body, must arrive within this (30 s). */
  HTTP_REQUEST_TIMEOUT_MS: ms.default(30_000),
  /** An idle keep-alive HTTP connection is closed after this (5 s). */
  HTTP_IDLE_TIMEOUT_MS: ms.default(5_000),
});
export type ClientLimitsEnv = z.infer<typeof clientLimitsEnvSchema>;

export interface ClientLimits {
  ws: {
    bufferBytes: number;
    lagMs: number;
    pingMs: number;
    pongWaitMs: number;
    idleMs: number;
    maxSubscriptions: number;
    maxConnectionsPerAddress: number;
  };
  http: {
    maxBodyBytes: number;
    maxBatchSize: number;
    requestTimeoutMs: number;
    idleTimeoutMs: number;
  };
  historyItemsPerRequest: number;
}

export function clientLimitsOf(env: ClientLimitsEnv): ClientLimits {
  return {
    ws: {
      bufferBytes: env.WS_BUFFER_BYTES,
      lagMs: env.WS_LAG_MS,
      pingMs: env.WS_PING_INTERVAL_MS,
      pongWaitMs: env.WS_PONG_TIMEOUT_MS,
      idleMs: env.WS_IDLE_TIMEOUT_MS,
      maxSubscriptions: env.WS_MAX_SUBSCRIPTIONS,
      maxConnectionsPerAddress: env.WS_MAX_CONNECTIONS_PER_ADDRESS,
    },
    http: {
      maxBodyBytes: env.HTTP_MAX_BODY_BYTES,
      maxBatchSize: env.HTTP_MAX_BATCH_SIZE,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS,
    },
    historyItemsPerRequest: env.HISTORY_MAX_ITEMS_PER_REQUEST,
  };
}

/** The defaults, for servers started without an environment (tests, benches). */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = clientLimitsOf(clientLimitsEnvSchema.parse({}));

/**
 * The web server's own variables, without where Kafka and PostgreSQL are: the embedded
 * mode (apps/pulse) runs the same server under the same names and adds its own bus and
 * database choice.
 */
export const webServerEnvSchema = observabilityEnvSchema
  .extend(authEnvSchema.shape)
  .extend(gatewayEnvSchema.shape)
  .extend(clientLimitsEnvSchema.shape)
  .extend(emoteEnvSchema.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** 127.0.0.1 by default; containers set 0.0.0.0 to be reachable through a published port. */
    HOST: z.string().min(1).default("127.0.0.1"),
    /**
     * Browser origins allowed to open the WebSocket besides the server's own (comma
     * separated); the default lets the Vite dev server in.
     */
    ALLOWED_ORIGINS: z
      .string()
      .default("http://localhost:5173,http://127.0.0.1:5173")
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      ),
    /** Folder of the built dashboard. */
    WEB_STATIC_DIR: z.string().optional(),
  });
export type WebServerEnv = z.infer<typeof webServerEnvSchema>;

export const webEnvSchema = kafkaEnvSchema.extend(databaseEnvSchema.shape).extend(webServerEnvSchema.shape);
/** The environment, with the secret the server may use (requireAuthSecret's rules). */
export type WebEnv = Omit<z.infer<typeof webEnvSchema>, "AUTH_SECRET"> & { AUTH_SECRET: string };

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const env = parseEnv(webEnvSchema, source);
  return { ...env, AUTH_SECRET: requireAuthSecret(env, env.HOST) };
}

/** What --help prints: every variable the schema reads, named (configuration.test.ts checks). */
export const HELP = `Usage: npm start -w @emote/web

Serves the dashboard, the tRPC API over HTTP at /trpc, its subscriptions over WebSocket
at /trpc, and the probes /metrics (Prometheus), /healthz (alive) and /readyz (Kafka
consumer joined and PostgreSQL answering; 503 naming the one that fails), all on one port.

Environment:
  PORT (3000), HOST (127.0.0.1)
  DATABASE_URL, KAFKA_BROKERS, KAFKA_PORT, KAFKA_TOPIC_PREFIX, KAFKA_PARTITIONS
  AUTH_SECRET (required: openssl rand -base64 48), AUTH_TOKEN_MAX_LIFETIME_SECONDS (86400)
  ALLOWED_ORIGINS, ALLOWED_HOSTS, WEB_STATIC_DIR (apps/web/dist)
  RATE_LIMIT_MUTATIONS_PER_MINUTE (60), RATE_LIMIT_CONNECTIONS_PER_MINUTE (60)
  NODE_ENV                          production refuses the development secret even on loopback
  LOG_LEVEL (info)                  fatal, error, warn, info, debug, trace or silent
  LOG_FORMAT                        json or pretty (default: pretty on a terminal, JSON otherwise)
  OTEL_EXPORTER_OTLP_ENDPOINT       OTLP/HTTP collector URL; set, spans are exported
  Per-client limits (docs/SECURITY.md): WS_BUFFER_BYTES (1 MiB), WS_LAG_MS (2000),
  WS_PING_INTERVAL_MS (30000), WS_PONG_TIMEOUT_MS (10000), WS_IDLE_TIMEOUT_MS (300000),
  WS_MAX_SUBSCRIPTIONS (16), WS_MAX_CONNECTIONS_PER_ADDRESS (32), HTTP_MAX_BODY_BYTES (256 KiB),
  HTTP_MAX_BATCH_SIZE (50), HISTORY_MAX_ITEMS_PER_REQUEST (1000), HTTP_REQUEST_TIMEOUT_MS (30000),
  HTTP_IDLE_TIMEOUT_MS (5000)
  Reactions, emotes.send (docs/SECURITY.md → Reactions): EMOTE_RATE_PER_SECOND (10 per viewer, 0 = off),
  EMOTE_BURST (20), EMOTE_STREAMER_MAX_PER_SECOND (20000, 0 = off), EMOTE_QUEUE_MAX (20000),
  EMOTE_LINGER_MS (2), EMOTE_BATCH_MAX (2000), EMOTE_ACK_TIMEOUT_MS (2000),
  EMOTE_MAX_EVENT_LOOP_LAG_MS (1000, 0 = off), EMOTE_SETTINGS_CACHE_MS (2000)
`;
