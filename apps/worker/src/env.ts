import {
  databaseEnvSchema,
  kafkaEnvSchema,
  metricsEnvSchema,
  observabilityEnvSchema,
  parseEnv,
} from "@emote/config";
import { z } from "zod";

/** /metrics, /healthz and /readyz (the port Prometheus scrapes; deploy/prometheus uses it). */
export const DEFAULT_WORKER_METRICS_PORT = 9464;

export const workerEnvSchema = kafkaEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(observabilityEnvSchema.shape)
  .extend(metricsEnvSchema(DEFAULT_WORKER_METRICS_PORT).shape)
  .extend({
    /** All workers share one group, so partitions (and streamers) are spread over them. */
    WORKER_GROUP_ID: z.string().min(1).default("emote-worker"),
    /** Partitions whose batches one worker handles at once (overlaps Kafka, DB and CPU). */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
    /** Parse messages on a second thread, beside kafkajs and the database round trips. */
    WORKER_PARSE_THREAD: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1"),
    /** A killed worker's partitions move to the others after this long (Kafka's minimum is 6 s). */
    WORKER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(30_000),
    /** How long a SIGTERM waits for the in-flight batch before giving up. */
    WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  });
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function readWorkerEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  return parseEnv(workerEnvSchema, source);
}

/** What --help prints: every variable the schema reads, named (configuration.test.ts checks). */
export const HELP = `Usage: npm start -w @emote/worker

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
