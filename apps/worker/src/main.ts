import { stopOnSignals } from "@emote/lifecycle";
import {
  createFallbackLogger,
  createObservability,
  errorMessage,
  flushTraces,
  logFatalExits,
  type Logger,
} from "@emote/observability";
import { readWorkerEnv } from "./env.ts";
import { startWorker } from "./worker.ts";

const HELP = `Usage: npm start -w @emote/worker

Consumes raw-emote-data, finds significant moments per streamer, publishes them to
aggregated-emote-data and stores them in PostgreSQL. Configuration is by environment:
  KAFKA_BROKERS, KAFKA_PORT (9092), KAFKA_PARTITIONS (6), KAFKA_TOPIC_PREFIX (""),
  DATABASE_URL (postgres://postgres@127.0.0.1:5432/emote), WORKER_GROUP_ID (emote-worker),
  WORKER_CONCURRENCY (3), WORKER_PARSE_THREAD (true), WORKER_SESSION_TIMEOUT_MS (8000: a killed
  worker's partitions resume on the others within ~10 s), WORKER_HEARTBEAT_INTERVAL_MS (1000;
  at most a third of the session timeout), WORKER_SHUTDOWN_TIMEOUT_MS (15000),
  METRICS_PORT (9464; 0 = any free port), METRICS_HOST (127.0.0.1): GET /metrics
    (Prometheus), /healthz and /readyz (503 naming the failing dependency),
  LOG_LEVEL (info), LOG_FORMAT (json|pretty; default pretty on a terminal, JSON otherwise),
  OTEL_EXPORTER_OTLP_ENDPOINT (unset: no spans exported; trace ids still travel).`;

const SERVICE = "emote-worker";
const PROGRESS_MS = 10_000;

/** The process's logger once the environment is read; before, failures use a fallback one. */
let processLog: Logger | undefined;

async function main(): Promise<void> {
  const env = readWorkerEnv();
  const obs = createObservability(SERVICE, env);
  logFatalExits(obs.log);
  processLog = obs.log;
  const worker = await startWorker(env, obs);

  let last = "";
  const progress = setInterval(() => {
    void worker.metrics.totals().then((t) => {
      const { consumed, analyses, moments, deadLettered } = t;
      const line = `${consumed} ${analyses} ${moments} ${deadLettered}`;
      if (line !== last) obs.log.info({ consumed, analyses, moments, deadLettered }, "progress");
      last = line;
    });
  }, PROGRESS_MS);

  stopOnSignals({
    stop: async () => {
      clearInterval(progress);
      await worker.stop();
      await flushTraces(obs);
    },
    log: (line) => obs.log.info(line),
    doing: "draining the batch in flight and committing…",
    timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
}

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(`${HELP}\n`);
} else {
  main().catch((err: unknown) => {
    const log = processLog ?? createFallbackLogger(SERVICE);
    log.fatal(`cannot start: ${errorMessage(err)}`);
    process.exit(1);
  });
}
