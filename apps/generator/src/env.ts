import type { z } from "zod";
import { kafkaEnvSchema, logEnvSchema, parseEnv } from "@emote/config";

/** The one module that reads process.env. */
const serviceEnvSchema = kafkaEnvSchema.extend(logEnvSchema.shape);
export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

/** Kafka and logging settings; throws ConfigError with one line per bad variable. */
export function loadServiceEnv(): ServiceEnv {
  return parseEnv(serviceEnvSchema, process.env);
}

/** The raw variables, for the GENERATOR_* options that options.ts validates. */
export function rawEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
