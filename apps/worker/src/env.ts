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
    /**
     * A killed worker's partitions move to the others after this long (Kafka's minimum is
     * 6 s): with the heartbeat below, a dead worker's partitions resume within ~10 s.
     */
    WORKER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(8_000),
    /** How often a worker tells the group it is alive; well under the session timeout. */
    WORKER_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
    /** How long a SIGTERM waits for the in-flight batch before giving up. */
    WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  })
  .refine((env) => env.WORKER_HEARTBEAT_INTERVAL_MS * 3 <= env.WORKER_SESSION_TIMEOUT_MS, {
    message: "WORKER_HEARTBEAT_INTERVAL_MS must be at most a third of WORKER_SESSION_TIMEOUT_MS",
    path: ["WORKER_HEARTBEAT_INTERVAL_MS"],
  });
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function readWorkerEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  return parseEnv(workerEnvSchema, source);
}
