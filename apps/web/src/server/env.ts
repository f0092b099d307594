import {
  authEnvSchema,
  databaseEnvSchema,
  envHelp,
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
 * What one client may take of the server (docs/security.md → Per-client limits). Shared
 * with the embedded mode (apps/pulse), which runs the same web server.
 */
export const clientLimitsEnvSchema = z.object({
  // At least 64 KiB: writers wait for the TCP socket's 'drain', which Node emits only past 16 KiB.
  WS_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1 << 30)
    .default(1 << 20)
    .describe(
      "Bytes a WebSocket may have waiting to go out, every frame counted (at least 65536); " +
        "past it frames are dropped and the socket is cut.",
    ),
  WS_LAG_MS: ms
    .default(2_000)
    .describe(
      "A socket that had a frame dropped is terminated at the latest this long after (at once when its buffer drains).",
    ),
  WS_PING_INTERVAL_MS: ms.default(30_000).describe("How often the server pings each WebSocket."),
  WS_PONG_TIMEOUT_MS: ms
    .default(10_000)
    .describe("A socket whose pong does not come within this is terminated (its own messages do not count)."),
  WS_IDLE_TIMEOUT_MS: ms
    .default(300_000)
    .describe("A WebSocket without a subscription that sends nothing for this long is closed (code 4408)."),
  WS_MAX_SUBSCRIPTIONS: count(10_000)
    .default(16)
    .describe("Subscriptions one WebSocket may hold; the next gets TOO_MANY_REQUESTS."),
  WS_MAX_CONNECTIONS_PER_ADDRESS: count(1_000_000)
    .default(32)
    .describe(
      "Open WebSockets per client address (a proxy in front counts as one); the next upgrade gets 429.",
    ),
  HTTP_MAX_BODY_BYTES: count(1 << 30)
    .default(256 * 1024)
    .describe("Larger request bodies get 413 before they are read, parsed or authenticated."),
  HTTP_MAX_BATCH_SIZE: count(10_000)
    .default(50)
    .describe("Calls in one HTTP batch (tRPC's maxBatchSize); more: 400."),
  HISTORY_MAX_ITEMS_PER_REQUEST: count(1_000_000)
    .default(1_000)
    .describe(
      "Moments moments.history may return to one HTTP batch (its limits summed) or to one WebSocket's calls in flight.",
    ),
  HTTP_REQUEST_TIMEOUT_MS: ms
    .default(30_000)
    .describe("A request (headers within 10 s at most, and body) must arrive within this; else 408."),
  HTTP_IDLE_TIMEOUT_MS: ms
    .default(5_000)
    .describe("An idle keep-alive HTTP connection is closed after this."),
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
    PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(3000)
      .describe("Port of the dashboard, the API (/trpc over HTTP and WebSocket) and the probes."),
    HOST: z
      .string()
      .min(1)
      .default("127.0.0.1")
      .describe("Address to bind; containers set 0.0.0.0 to be reachable through a published port."),
    ALLOWED_ORIGINS: z
      .string()
      .default("http://localhost:5173,http://127.0.0.1:5173")
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .describe(
        "Browser origins (comma separated) allowed to open the WebSocket besides the page's own; " +
          "the default lets the Vite dev server in.",
      ),
    WEB_DRAIN_TIMEOUT_MS: ms
      .default(10_000)
      .describe(
        "On SIGTERM the server stops listening, /readyz answers 503, and each WebSocket is closed with " +
          "1012 (service restart) once its emotes.send calls are answered; sockets still open after this " +
          "are cut. The process exits at most 5 s after.",
      ),
    WEB_STATIC_DIR: z
      .string()
      .optional()
      .describe("Folder of the built dashboard to serve; unset: apps/web/dist."),
  });
export type WebServerEnv = z.infer<typeof webServerEnvSchema>;

export const webEnvSchema = kafkaEnvSchema.extend(databaseEnvSchema.shape).extend(webServerEnvSchema.shape);
/** The environment, with the secret the server may use (requireAuthSecret's rules). */
export type WebEnv = Omit<z.infer<typeof webEnvSchema>, "AUTH_SECRET"> & { AUTH_SECRET: string };

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const env = parseEnv(webEnvSchema, source);
  return { ...env, AUTH_SECRET: requireAuthSecret(env, env.HOST) };
}

/** What --help prints: the environment section comes from the schema's descriptions and defaults. */
export const HELP = `Usage: npm start -w @emote/web

Serves the dashboard, the tRPC API over HTTP at /trpc, its subscriptions over WebSocket
at /trpc, and the probes /metrics (Prometheus), /healthz (alive) and /readyz (Kafka
consumer joined and PostgreSQL answering; 503 naming the one that fails), all on one port.

${envHelp(webEnvSchema)}
`;
