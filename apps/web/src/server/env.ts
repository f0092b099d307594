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

export const webEnvSchema = kafkaEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(observabilityEnvSchema.shape)
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
/** The environment, with the secret the server may use (requireAuthSecret's rules). */
export type WebEnv = Omit<z.infer<typeof webEnvSchema>, "AUTH_SECRET"> & { AUTH_SECRET: string };

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const env = parseEnv(webEnvSchema, source);
  return { ...env, AUTH_SECRET: requireAuthSecret(env, env.HOST) };
}
