import { kafkaEnvSchema, parseEnv } from "@emote/config";
import { webServerEnvSchema } from "@emote/web/server";
import { z } from "zod";

export const pulseEnvSchema = kafkaEnvSchema
  // The web server's variables (gateway, secret, per-client limits, logs), under the same
  // names as in distributed mode.
  .extend(webServerEnvSchema.shape)
  .extend({
    /** Set → that PostgreSQL; unset → the embedded one in PULSE_DATA_DIR. */
    DATABASE_URL: z.url().optional(),
    /** Embedded PostgreSQL data and, without AUTH_SECRET on loopback, the generated token secret. */
    PULSE_DATA_DIR: z.string().min(1).default(".data"),
    /** With Kafka, the worker's consumer group: the one distributed workers use, by default. */
    WORKER_GROUP_ID: z.string().min(1).default("emote-worker"),
    /** The built-in generator: ticks per second for streamer "default" (0 = no generator). */
    PULSE_GENERATOR_RATE: z.coerce.number().min(0).max(1_000).default(10),
  });
export type PulseEnv = z.infer<typeof pulseEnvSchema>;

export function readPulseEnv(source: Record<string, string | undefined> = process.env): PulseEnv {
  return parseEnv(pulseEnvSchema, source);
}
