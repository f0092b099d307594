import {
  databaseEnvSchema,
  envHelp,
  kafkaEnvSchema,
  metricsEnvSchema,
  observabilityEnvSchema,
  parseEnv,
} from "@emote/config";
import { z } from "zod";

/** /metrics, /healthz and /readyz of the trending process. */
export const DEFAULT_TRENDING_METRICS_PORT = 9466;

export const trendingEnvSchema = kafkaEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(observabilityEnvSchema.shape)
  .extend(metricsEnvSchema(DEFAULT_TRENDING_METRICS_PORT).shape)
  .extend({
    TRENDING_ROLE: z
      .enum(["all", "partials", "merge"])
      .default("all")
      .describe(
        "Which steps this process runs: the partial step (any number of processes share its partitions), " +
          "the merge (one at a time; others stand by), or both.",
      ),
    TRENDING_GROUP_ID: z
      .string()
      .min(1)
      .default("emote-trending")
      .describe(
        "Prefix of the two consumer groups (-partials, -merge) and key of their state in PostgreSQL.",
      ),
    TRENDING_SESSION_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(6_000)
      .default(8_000)
      .describe("A killed trending process's partitions move to another after this long."),
    TRENDING_BOARD_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(1_000)
      .describe("The merge publishes a board at most this often (at once when a surge starts or ends)."),
    TRENDING_SHUTDOWN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(15_000)
      .describe("How long SIGTERM waits for the batches in flight before giving up."),
  });
export type TrendingEnv = z.infer<typeof trendingEnvSchema>;

export function readTrendingEnv(source: Record<string, string | undefined> = process.env): TrendingEnv {
  return parseEnv(trendingEnvSchema, source);
}

/** What --help prints: the environment section comes from the schema's descriptions and defaults. */
export const HELP = `Usage: npm start -w @emote/trending

The platform view: the partial step turns emote-window-stats and the surge moments of
aggregated-emote-data into per-partition partials on trending-partials; the merge ranks
emotes trending across streamers, the strongest live surges and the platform intensity,
stores each board in PostgreSQL and publishes it on trending for the web servers.
/metrics, /healthz and /readyz on METRICS_PORT.

${envHelp(trendingEnvSchema)}`;
