import { ROLES, signToken } from "@emote/api";
import { runService } from "@emote/observability";
import { readPulseEnv } from "./env.ts";
import { startPulse } from "./pulse.ts";

const HELP = `Usage: npm start

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
`;

void runService({ service: "emote-pulse", help: HELP, readEnv: readPulseEnv }, async (env, obs, ctx) => {
  const started = performance.now();
  const pulse = await startPulse(env, obs);
  const stopping = ctx.stopOn({
    doing: "stopping the generator, the web server and the worker",
    timeoutMs: 15_000,
  });
  const readyInSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  obs.log.info({ url: pulse.url, bus: pulse.bus, database: pulse.database, readyInSeconds }, "running");
  const tokens = await Promise.all(
    ROLES.map(async (role) => {
      const claims = role === "streamer" ? { role, streamerId: "default", sub: role } : { role, sub: role };
      return `  ${role.padEnd(9)} ${await signToken(claims, pulse.authSecret)}`;
    }),
  );
  // For the person at the terminal, not for a log collector.
  if (process.stdout.isTTY) {
    process.stdout.write(
      [
        "",
        `Emote Pulse is running: ${pulse.url}  (ready in ${readyInSeconds} s)`,
        `  bus: ${pulse.bus}; database: ${pulse.database}`,
        "  streamer 'default' gets simulated emotes; moments appear within seconds.",
        `  probes: ${pulse.url}/metrics, /healthz, /readyz`,
        "",
        "Development tokens (paste one into the dashboard's sign-in field; valid 12 h):",
        ...tokens,
        ...(pulse.authSecretFile
          ? [
              `  signed with the secret in ${pulse.authSecretFile} (npm run token: AUTH_SECRET=$(cat ${pulse.authSecretFile}))`,
            ]
          : []),
        "",
        "Ctrl-C stops it.",
        "",
      ].join("\n"),
    );
  }

  await stopping.requested;
  await pulse.stop();
  return 0;
});
