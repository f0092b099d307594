import { stopOnSignals } from "@emote/lifecycle";
import { ROLES, signToken } from "@emote/api";
import { createObservability, errorMessage, flushTraces, logFatalExits } from "@emote/observability";
import { readPulseEnv } from "./env.ts";
import { startPulse } from "./pulse.ts";

const HELP = `Usage: npm start

Runs Emote Pulse in one process: the emote generator, the analysis worker and the web
server (dashboard, API, live subscriptions, /metrics, /healthz, /readyz) on
http://127.0.0.1:3000.
Without KAFKA_BROKERS it uses an in-process bus; without DATABASE_URL an embedded
PostgreSQL (PGlite) whose data stays in .data/ (settings and history survive restarts).
Environment: PORT (3000), HOST, KAFKA_BROKERS, KAFKA_PARTITIONS (6), KAFKA_TOPIC_PREFIX,
WORKER_GROUP_ID (emote-worker, with Kafka), DATABASE_URL, PULSE_DATA_DIR (.data),
PULSE_GENERATOR_RATE (10 ticks/s, 0 = off), AUTH_SECRET (unset on loopback: made once and
kept in PULSE_DATA_DIR/auth-secret; required off loopback), AUTH_TOKEN_MAX_LIFETIME_SECONDS,
ALLOWED_HOSTS, RATE_LIMIT_MUTATIONS_PER_MINUTE, RATE_LIMIT_CONNECTIONS_PER_MINUTE, LOG_LEVEL (info),
LOG_FORMAT (json | pretty; default pretty on a terminal), OTEL_EXPORTER_OTLP_ENDPOINT,
the web server's per-client limits (WS_*, HTTP_*, HISTORY_*) and reactions (emotes.send):
EMOTE_RATE_PER_SECOND (10 per viewer), EMOTE_BURST (20), EMOTE_STREAMER_MAX_PER_SECOND (20000),
EMOTE_QUEUE_MAX (20000), EMOTE_LINGER_MS (2), EMOTE_BATCH_MAX (2000), EMOTE_ACK_TIMEOUT_MS (2000),
EMOTE_MAX_EVENT_LOOP_LAG_MS (1000, 0 = off), EMOTE_SETTINGS_CACHE_MS (2000).
PULSE_GENERATOR_RATE=0 leaves only real viewers' reactions.
`;

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const env = readPulseEnv();
  const obs = createObservability("emote-pulse", env);
  logFatalExits(obs.log);
  const started = performance.now();
  const pulse = await startPulse(env, obs).catch((err: unknown) => {
    obs.log.fatal(`cannot start: ${errorMessage(err)}`);
    process.exit(1);
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

  stopOnSignals({
    stop: async () => {
      await pulse.stop();
      await flushTraces(obs);
    },
    log: (line) => obs.log.info(line),
    doing: "stopping the generator, the web server and the worker",
    timeoutMs: 15_000,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`emote-pulse: cannot start: ${errorMessage(err)}\n`);
  process.exit(1);
});
