import {
  authEnvSchema,
  gatewayEnvSchema,
  kafkaEnvSchema,
  observabilityEnvSchema,
  parseEnv,
} from "@emote/config";
import { clientLimitsEnvSchema, emoteEnvSchema } from "@emote/web/server";
import { z } from "zod";

export const pulseEnvSchema = kafkaEnvSchema
  .extend(observabilityEnvSchema.shape)
  .extend(authEnvSchema.shape)
  .extend(gatewayEnvSchema.shape)
  // The web server's per-client limits, under the same names as in distributed mode.
  .extend(clientLimitsEnvSchema.shape)
  // emotes.send's limits and queue, as in distributed mode.
  .extend(emoteEnvSchema.shape)
  .extend({
    /** Set → that PostgreSQL; unset → the embedded one in PULSE_DATA_DIR. */
    DATABASE_URL: z.url().optional(),
    /** Embedded PostgreSQL data and, without AUTH_SECRET on loopback, the generated token secret. */
    PULSE_DATA_DIR: z.string().min(1).default(".data"),
    /** With Kafka, the worker's consumer group: the one distributed workers use, by default. */
    WORKER_GROUP_ID: z.string().min(1).default("emote-worker"),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    ALLOWED_ORIGINS: z.string().default("http://localhost:5173,http://127.0.0.1:5173"),
    WEB_STATIC_DIR: z.string().optional(),
    /** The built-in generator: ticks per second for streamer "default" (0 = no generator). */
    PULSE_GENERATOR_RATE: z.coerce.number().min(0).max(1_000).default(10),
  });
export type PulseEnv = z.infer<typeof pulseEnvSchema>;

export function readPulseEnv(source: Record<string, string | undefined> = process.env): PulseEnv {
  return parseEnv(pulseEnvSchema, source);
}
