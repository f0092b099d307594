import { pino, stdTimeFunctions, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { readFallbackLogEnv, type LogEnv } from "./env.ts";

export type { Logger };

export interface LoggerOptions {
  /** Becomes the `service` field of every line. */
  service: string;
  env: LogEnv;
  /** Tests capture lines here; otherwise stdout. */
  destination?: DestinationStream;
}

/** One logger per process: JSON lines for collectors, readable lines on a terminal. */
export function createLogger({ service, env, destination }: LoggerOptions): Logger {
  const options = {
    level: env.LOG_LEVEL,
    base: { service, pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  const format = env.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json");
  if (format === "json") return pino(options);
  // In-thread (no transport worker): a crash still prints its last lines.
  return pino(options, pretty({ colorize: process.stdout.isTTY, ignore: "pid", sync: true }));
}

/** The logger of a process whose environment did not parse (see `readFallbackLogEnv`). */
export function createFallbackLogger(service: string): Logger {
  return createLogger({ service, env: readFallbackLogEnv() });
}

/** The message of anything thrown, for a log field. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
