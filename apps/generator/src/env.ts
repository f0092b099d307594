import { z } from "zod";
import { kafkaEnvSchema, metricsEnvSchema, observabilityEnvSchema, parseEnv } from "@emote/config";

/** The generator's probe port (/metrics, /healthz, /readyz). */
export const DEFAULT_METRICS_PORT = 9465;

/** The one module that reads process.env. */
export const serviceEnvSchema = kafkaEnvSchema
  .extend(observabilityEnvSchema.shape)
  .extend(metricsEnvSchema(DEFAULT_METRICS_PORT).shape)
  .extend({
    GENERATOR_SHUTDOWN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .default(10_000)
      .describe("How long SIGINT/SIGTERM may take to send what is pending before it is abandoned."),
  });
export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

/** Kafka, logging, tracing, metrics and shutdown settings; throws ConfigError with one line per bad variable. */
export function loadServiceEnv(): ServiceEnv {
  return parseEnv(serviceEnvSchema, process.env);
}

/** The raw variables, for the GENERATOR_* options that options.ts validates. */
export function rawEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
