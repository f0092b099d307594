import { databaseEnvSchema, kafkaEnvSchema, parseEnv } from "@emote/config";
import { z } from "zod";

export const chaosEnvSchema = kafkaEnvSchema.extend(databaseEnvSchema.shape).extend({
  KAFKA_TEST_CLUSTER_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65_528)
    .optional()
    .describe(
      "First port of the private brokers of the failover tests and the chaos run: three nodes on it..+5, " +
        "a single broker to restart on +6/+7. Unset: KAFKA_PORT + 10.",
    ),
});
export type ChaosEnv = z.infer<typeof chaosEnvSchema>;

export function readChaosEnv(source: Record<string, string | undefined> = process.env): ChaosEnv {
  return parseEnv(chaosEnvSchema, source);
}

/** Ports of the private brokers: `cluster` (three nodes) and `single` (one, to restart). */
export function privateBrokerPorts(env: ChaosEnv): { cluster: number; single: number } {
  const base = env.KAFKA_TEST_CLUSTER_PORT ?? env.KAFKA_PORT + 10;
  return { cluster: base, single: base + 6 };
}
