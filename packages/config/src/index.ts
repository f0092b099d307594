import { z } from "zod";
import { ConfigError } from "./config-error.ts";

/**
 * Environment fragments shared by every process. Each app's env.ts merges the ones it needs
 * and parses `process.env` once; nothing else reads the environment.
 */
export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/emote";
export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/emote_test";
export const DEFAULT_KAFKA_PORT = 9092;

const port = z.coerce.number().int().min(1).max(65_535);

export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      "Comma-separated host:port of an existing cluster; unset: the local broker of `npm run infra:up` on KAFKA_PORT.",
    ),
  KAFKA_PORT: port
    .default(DEFAULT_KAFKA_PORT)
    .describe("Port of the local broker (its controller takes the next one)."),
  KAFKA_PARTITIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(6)
    .describe("Partitions per topic when a process creates the topics."),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, "only letters, digits, '.', '_' and '-'")
    .default("")
    .describe("Prepended to every topic name, so several deployments or test runs can share a cluster."),
});
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

export const databaseEnvSchema = z.object({
  DATABASE_URL: z.url().default(DEFAULT_DATABASE_URL).describe("PostgreSQL connection URL."),
});

const commaList = z.string().transform((s) =>
  s
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean),
);

/** What a gateway (the web server, `npm start`) lets in, and how fast. docs/security.md has the numbers. */
export const gatewayEnvSchema = z.object({
  ALLOWED_HOSTS: commaList
    .default([])
    .describe(
      "Host names (comma separated, no port) the server answers to besides loopback names and HOST; " +
        "another Host gets 421 (DNS rebinding). `*` turns the check off.",
    ),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .default(60)
    .describe("Mutations per caller (token sub, else client address) per minute; 0 = no limit."),
  RATE_LIMIT_CONNECTIONS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .default(60)
    .describe("WebSocket connection attempts per client address per minute; 0 = no limit."),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export const logEnvSchema = z.object({
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("fatal, error, warn, info, debug, trace or silent; debug logs each moment's traceId."),
  LOG_FORMAT: z
    .enum(["json", "pretty"])
    .optional()
    .describe("json or pretty; unset: readable lines on a terminal, JSON (one object a line) otherwise."),
});

export const tracingEnvSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe(
      "OTLP/HTTP collector base URL (spans go to `<url>/v1/traces`); unset: no spans exported, trace ids still travel.",
    ),
});

/** Logs and traces: every process has both. */
export const observabilityEnvSchema = logEnvSchema.extend(tracingEnvSchema.shape);
export type ObservabilityEnv = z.infer<typeof observabilityEnvSchema>;

/**
 * The probe port of a process without an HTTP server of its own (/metrics, /healthz,
 * /readyz); 0 picks any free port, which the process logs.
 */
export function metricsEnvSchema(defaultPort: number) {
  return z.object({
    METRICS_PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(defaultPort)
      .describe("Port of /metrics (Prometheus), /healthz and /readyz; 0 = any free port, logged."),
    METRICS_HOST: z.string().min(1).default("127.0.0.1").describe("Address the probe port binds to."),
  });
}

/** The broker list a process should use: the configured cluster or the local one. */
export function kafkaBrokers(env: Pick<KafkaEnv, "KAFKA_BROKERS" | "KAFKA_PORT">): string[] {
  if (env.KAFKA_BROKERS) {
    return env.KAFKA_BROKERS.split(",")
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
  }
  return [`127.0.0.1:${env.KAFKA_PORT}`];
}

/**
 * Parses an environment with a schema and turns a failure into one readable line per
 * variable, so a bad setting never surfaces as a stack trace.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  // `VAR= command` means "not set", as shells and dotenv files use it.
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(set);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}

export { ConfigError } from "./config-error.ts";
export {
  AUTH_SECRET_FILE,
  AUTH_SECRET_HINT,
  DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
  DEV_AUTH_SECRET,
  authEnvSchema,
  isLoopbackHost,
  readAuthSecretFile,
  requireAuthSecret,
  type AuthEnv,
} from "./auth-secret.ts";
export { envHelp, envVariables, type EnvVariable } from "./env-reference.ts";

/** Where a database URL points, without its credentials, for messages and logs. */
export function describeDatabaseUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
}
