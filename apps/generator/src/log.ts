import type { z } from "zod";
import type { logEnvSchema } from "@emote/config";

export type LogLevel = z.infer<typeof logEnvSchema>["LOG_LEVEL"];

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

const RANK: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 100,
};

/** Plain lines for a CLI: progress on stdout, problems on stderr; LOG_LEVEL filters them. */
export function createLogger(level: LogLevel): Logger {
  const at = RANK[level];
  return {
    info: (line) => {
      if (at <= RANK.info) console.log(line);
    },
    warn: (line) => {
      if (at <= RANK.warn) console.error(line);
    },
    error: (line) => {
      if (at <= RANK.error) console.error(line);
    },
  };
}
