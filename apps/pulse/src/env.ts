import { envHelp, kafkaEnvSchema, parseEnv } from "@emote/config";
import { webServerEnvSchema } from "@emote/web/server";
import { timelineEnvSchema } from "@emote/worker/env";
import { z } from "zod";

export const pulseEnvSchema = kafkaEnvSchema
  // The web server's variables (gateway, secret, per-client limits, logs), under the same
  // names as in distributed mode.
  .extend(webServerEnvSchema.shape)
  // The built-in worker's timelines, as the distributed worker's.
  .extend(timelineEnvSchema.shape)
  .extend({
    DATABASE_URL: z
      .url()
      .optional()
      .describe("Set: that PostgreSQL; unset: the embedded one (PGlite) in PULSE_DATA_DIR."),
    PULSE_DATA_DIR: z
      .string()
      .min(1)
      .default(".data")
      .describe(
        "Embedded PostgreSQL data and, without AUTH_SECRET on loopback, the generated token secret (auth-secret).",
      ),
    WORKER_GROUP_ID: z
      .string()
      .min(1)
      .default("emote-worker")
      .describe(
        "With Kafka, the built-in worker's consumer group: the one distributed workers use. With the in-process bus and DATABASE_URL, this plus `-in-process`, so its checkpoints never share rows with the Kafka log's.",
      ),
    PULSE_GENERATOR_RATE: z.coerce
      .number()
      .min(0)
      .max(1_000)
      .default(10)
      .describe(
        "Ticks per second of the built-in simulator (streamer `default`); 0 = only real viewers' reactions.",
      ),
  });
export type PulseEnv = z.infer<typeof pulseEnvSchema>;

/**
 * The built-in worker's group. Checkpoints are rows per (group, topic, partition): the
 * in-process bus's log is not Kafka's, so with a PostgreSQL that distributed workers may
 * use it keeps its own rows (sharing them, each would skip or re-apply the other's
 * offsets). The embedded database is this process's alone and keeps the plain name, so
 * existing data dirs continue where they were.
 */
export function workerGroupId(
  env: Pick<PulseEnv, "KAFKA_BROKERS" | "DATABASE_URL" | "WORKER_GROUP_ID">,
): string {
  return env.KAFKA_BROKERS || env.DATABASE_URL === undefined
    ? env.WORKER_GROUP_ID
    : `${env.WORKER_GROUP_ID}-in-process`;
}

/** The built-in trending stage's groups' prefix: kept apart from a Kafka log's as the worker's is. */
export function trendingGroupId(env: Pick<PulseEnv, "KAFKA_BROKERS" | "DATABASE_URL">): string {
  return env.KAFKA_BROKERS || env.DATABASE_URL === undefined ? "emote-trending" : "emote-trending-in-process";
}

export function readPulseEnv(source: Record<string, string | undefined> = process.env): PulseEnv {
  return parseEnv(pulseEnvSchema, source);
}

/** What --help prints: the environment section comes from the schema's descriptions and defaults. */
export const HELP = `Usage: npm start

Runs Emote Pulse in one process: the emote generator, the analysis worker, the trending
stage (the Platform page) and the web server (dashboard, API, live subscriptions, /metrics, /healthz, /readyz) on
http://127.0.0.1:3000.
Without KAFKA_BROKERS it uses an in-process bus; without DATABASE_URL an embedded
PostgreSQL (PGlite) whose data stays in .data/ (settings and history survive restarts).
The web server's variables mean the same here as in distributed mode.
Development tokens (one per role, valid 12 h) are written to PULSE_DATA_DIR/tokens on every
start (owner-only; the log says where) and printed too when the output is a terminal.

${envHelp(pulseEnvSchema)}
`;
