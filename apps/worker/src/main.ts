import { runService } from "@emote/observability";
import { readWorkerEnv } from "./env.ts";
import { startWorker } from "./worker.ts";

const HELP = `Usage: npm start -w @emote/worker

Consumes raw-emote-data, finds significant moments per streamer, publishes them to
aggregated-emote-data and stores them in PostgreSQL. Configuration is by environment:
  KAFKA_BROKERS, KAFKA_PORT (9092), KAFKA_PARTITIONS (6), KAFKA_TOPIC_PREFIX (""),
  DATABASE_URL (postgres://postgres@127.0.0.1:5432/emote), WORKER_GROUP_ID (emote-worker),
  WORKER_CONCURRENCY (3), WORKER_PARSE_THREAD (true), WORKER_SESSION_TIMEOUT_MS (30000),
  WORKER_SHUTDOWN_TIMEOUT_MS (15000),
  METRICS_PORT (9464; 0 = any free port), METRICS_HOST (127.0.0.1): GET /metrics
    (Prometheus), /healthz and /readyz (503 naming the failing dependency),
  LOG_LEVEL (info), LOG_FORMAT (json|pretty; default pretty on a terminal, JSON otherwise),
  OTEL_EXPORTER_OTLP_ENDPOINT (unset: no spans exported; trace ids still travel).`;

const PROGRESS_MS = 10_000;

void runService({ service: "emote-worker", help: HELP, readEnv: readWorkerEnv }, async (env, obs, ctx) => {
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

  await ctx.stopOn({
    doing: "draining the batch in flight and committing…",
    timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  }).requested;
  clearInterval(progress);
  await worker.stop();
  return 0;
});
