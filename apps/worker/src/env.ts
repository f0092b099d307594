import {
  databaseEnvSchema,
  envHelp,
  kafkaEnvSchema,
  metricsEnvSchema,
  observabilityEnvSchema,
  parseEnv,
} from "@emote/config";
import { DEFAULT_TIMESTAMP_EARLIEST, DEFAULT_TIMESTAMP_MAX_AHEAD_MS } from "@emote/contracts";
import { z } from "zod";
import { DEFAULT_STREAMER_IDLE_MS } from "./streamer-lru.ts";
import { DEFAULT_INTENSITY_RETENTION_DAYS } from "./timeline/intensity-retention.ts";
import { DEFAULT_STREAM_GAP_MS, INTENSITY_BUCKET_MS } from "./timeline/stream-timeline.ts";

/** The timelines the worker writes (stream sessions, 10 s intensity); the embedded worker (pulse) takes them too. */
export const timelineEnvSchema = z.object({
  STREAM_GAP_MS: z.coerce
    .number()
    .int()
    .min(INTENSITY_BUCKET_MS)
    .default(DEFAULT_STREAM_GAP_MS)
    .describe("Event-time silence after which a streamer's next emote starts a new stream (session)."),
  INTENSITY_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .default(DEFAULT_INTENSITY_RETENTION_DAYS)
    .describe("Timeline buckets (stream_intensity) older than this are deleted by the worker; 0 keeps them."),
});
export type TimelineEnv = z.infer<typeof timelineEnvSchema>;

/** /metrics, /healthz and /readyz (the port Prometheus scrapes; deploy/prometheus uses it). */
export const DEFAULT_WORKER_METRICS_PORT = 9464;

export const workerEnvSchema = kafkaEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(observabilityEnvSchema.shape)
  .extend(metricsEnvSchema(DEFAULT_WORKER_METRICS_PORT).shape)
  .extend(timelineEnvSchema.shape)
  .extend({
    WORKER_GROUP_ID: z
      .string()
      .min(1)
      .default("emote-worker")
      .describe("Consumer group shared by all workers, so partitions (and streamers) are spread over them."),
    WORKER_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(3)
      .describe(
        "Partitions whose batches one worker handles at once (overlaps Kafka, PostgreSQL and CPU); " +
          "one slow partition holds up the worker's next fetch for all of them.",
      ),
    WORKER_PARSE_THREAD: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1")
      .describe("Parse messages on a second thread; false parses them on the consumer's thread."),
    WORKER_SURGE_THREAD: z
      .enum(["true", "false", "1", "0"])
      .default("false")
      .transform((v) => v === "true" || v === "1")
      .describe(
        "Run the streamers' surge detectors on a thread of their own: for a worker with a core to spare " +
          "(on a machine whose cores the broker and PostgreSQL share it buys nothing). Default on the consumer's thread.",
      ),
    WORKER_SESSION_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(6_000)
      .default(8_000)
      .describe(
        "A dead worker's partitions move to the others after this long (Kafka's minimum is 6000): " +
          "with the heartbeat below they resume within ~10 s.",
      ),
    WORKER_HEARTBEAT_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(1_000)
      .describe("How often a worker tells its group it is alive; at most a third of the session timeout."),
    WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(15_000)
      .describe("How long SIGTERM waits for the batch in flight before giving up."),
    WORKER_TIMESTAMP_EARLIEST: z.iso
      .datetime({ offset: true })
      .default(DEFAULT_TIMESTAMP_EARLIEST)
      .describe("Emotes dated before this are dead-lettered as timestamp_out_of_range."),
    WORKER_TIMESTAMP_MAX_AHEAD_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_TIMESTAMP_MAX_AHEAD_MS)
      .describe("…and so are emotes dated further than this past the worker's clock."),
    WORKER_STREAMER_IDLE_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .default(DEFAULT_STREAMER_IDLE_MS)
      .describe(
        "A streamer's in-memory state is dropped after this long without emotes (reloaded from PostgreSQL).",
      ),
    WORKER_STOPPED_EXIT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(5_000)
      .describe(
        "After the consumer stopped for good, /readyz fails this long before the process exits with 1.",
      ),
  })
  .refine((env) => env.WORKER_HEARTBEAT_INTERVAL_MS * 3 <= env.WORKER_SESSION_TIMEOUT_MS, {
    message: "WORKER_HEARTBEAT_INTERVAL_MS must be at most a third of WORKER_SESSION_TIMEOUT_MS",
    path: ["WORKER_HEARTBEAT_INTERVAL_MS"],
  });
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function readWorkerEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  return parseEnv(workerEnvSchema, source);
}

/** What --help prints: the environment section comes from the schema's descriptions and defaults. */
export const HELP = `Usage: npm start -w @emote/worker

Consumes raw-emote-data, finds significant moments per streamer, publishes them to
aggregated-emote-data and stores them in PostgreSQL. /metrics (Prometheus), /healthz and
/readyz (503 naming the failing dependency) on METRICS_PORT.

${envHelp(workerEnvSchema)}`;
