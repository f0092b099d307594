import {
  databaseEnvSchema,
  kafkaEnvSchema,
  metricsEnvSchema,
  observabilityEnvSchema,
  parseEnv,
} from "@emote/config";
import { DEFAULT_TIMESTAMP_EARLIEST, DEFAULT_TIMESTAMP_MAX_AHEAD_MS } from "@emote/contracts";
import { z } from "zod";
import { DEFAULT_STREAMER_IDLE_MS } from "./streamer-lru.ts";

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
    /**
     * A killed worker's partitions move to the others after this long (Kafka's minimum is
     * 6 s): with the heartbeat below, a dead worker's partitions resume within ~10 s.
     */
    WORKER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(8_000),
    /** How often a worker tells the group it is alive; well under the session timeout. */
    WORKER_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
    /** How long a SIGTERM waits for the in-flight batch before giving up. */
    WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    /** Emotes dated before this are dead-lettered as timestamp_out_of_range. */
    WORKER_TIMESTAMP_EARLIEST: z.iso.datetime({ offset: true }).default(DEFAULT_TIMESTAMP_EARLIEST),
    /** …and so are emotes dated further than this past the worker's clock. */
    WORKER_TIMESTAMP_MAX_AHEAD_MS: z.coerce.number().int().min(0).default(DEFAULT_TIMESTAMP_MAX_AHEAD_MS),
    /** A streamer's in-memory state is dropped after this long without emotes (it is stored). */
    WORKER_STREAMER_IDLE_MS: z.coerce.number().int().min(1_000).default(DEFAULT_STREAMER_IDLE_MS),
    /** After the consumer stopped for good, /readyz fails this long before the process exits with 1. */
    WORKER_STOPPED_EXIT_MS: z.coerce.number().int().min(0).default(5_000),
  })
  .refine((env) => env.WORKER_HEARTBEAT_INTERVAL_MS * 3 <= env.WORKER_SESSION_TIMEOUT_MS, {
    message: "WORKER_HEARTBEAT_INTERVAL_MS must be at most a third of WORKER_SESSION_TIMEOUT_MS",
    path: ["WORKER_HEARTBEAT_INTERVAL_MS"],
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
  WORKER_CONCURRENCY (3), WORKER_PARSE_THREAD (true), WORKER_SESSION_TIMEOUT_MS (8000: a killed
  worker's partitions resume on the others within ~10 s), WORKER_HEARTBEAT_INTERVAL_MS (1000;
  at most a third of the session timeout), WORKER_SHUTDOWN_TIMEOUT_MS (15000), WORKER_TIMESTAMP_EARLIEST (2000-01-01T00:00:00Z),
  WORKER_TIMESTAMP_MAX_AHEAD_MS (86400000: emotes dated outside are dead-lettered),
  WORKER_STREAMER_IDLE_MS (900000), WORKER_STOPPED_EXIT_MS (5000: a consumer stopped for
    good fails /readyz, then the process exits with 1),
  METRICS_PORT (9464; 0 = any free port), METRICS_HOST (127.0.0.1): GET /metrics
    (Prometheus), /healthz and /readyz (503 naming the failing dependency),
  LOG_LEVEL (info), LOG_FORMAT (json|pretty; default pretty on a terminal, JSON otherwise),
  OTEL_EXPORTER_OTLP_ENDPOINT (unset: no spans exported; trace ids still travel).`;
