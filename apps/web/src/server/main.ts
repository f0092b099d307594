import { stopOnSignals } from "@emote/lifecycle";
import {
  createFallbackLogger,
  createObservability,
  errorMessage,
  flushTraces,
  logFatalExits,
} from "@emote/observability";
import { readWebEnv, type WebEnv } from "./env.ts";
import { startWebServer, type RunningWebServer } from "./web-server.ts";

const HELP = `Usage: npm start -w @emote/web

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

/** Bounded drain on SIGINT/SIGTERM: past this the process exits 1. */
const DRAIN_MS = 10_000;

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  let env: WebEnv;
  try {
    env = readWebEnv();
  } catch (err) {
    createFallbackLogger("emote-web").fatal(`cannot start: ${errorMessage(err)}`);
    process.exit(1);
  }
  const obs = createObservability("emote-web", env);
  const { log } = obs;
  logFatalExits(log);
  let server: RunningWebServer;
  try {
    server = await startWebServer(env, obs);
  } catch (err) {
    log.fatal(`cannot start: ${errorMessage(err)}`);
    await flushTraces(obs);
    process.exit(1);
  }
  log.info({ url: server.url }, `listening on ${server.url}`);

  stopOnSignals({
    stop: async () => {
      await server.close();
      await flushTraces(obs);
    },
    log: (line) => log.info(line),
    doing: `telling clients to reconnect and closing (at most ${DRAIN_MS / 1000} s)`,
    timeoutMs: DRAIN_MS,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`emote-web: ${errorMessage(err)}\n`);
  process.exit(1);
});
