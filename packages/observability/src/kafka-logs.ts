import type { Logger } from "pino";

/** kafkajs's numeric levels (NOTHING 0, ERROR 1, WARN 2, INFO 4, DEBUG 5). */
const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  1: "error",
  2: "warn",
  4: "info",
  5: "debug",
};

interface KafkaLogEntry {
  namespace: string;
  level: number;
  log: { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
}

/**
 * A kafkajs `logCreator` that routes the client's logs into the process's logger, so
 * they share its format and fields (kafkajs would otherwise print its own JSON).
 */
export function kafkaLogCreator(logger: Logger): (level: number) => (entry: KafkaLogEntry) => void {
  const kafka = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _t, logger: _l, ...fields } = log;
      kafka[LEVELS[level] ?? "info"]({ namespace, ...fields }, message);
    };
}

/**
 * kafkajs client options that route its logs into `logger` at the matching level: one
 * step quieter than the logger (kafkajs INFO is a diary of every rebalance).
 */
export function kafkaLogging(logger: Logger): {
  logCreator: ReturnType<typeof kafkaLogCreator>;
  logLevel: number;
} {
  return { logCreator: kafkaLogCreator(logger), logLevel: kafkaLogLevel(logger.level) };
}

function kafkaLogLevel(level: string): number {
  switch (level) {
    case "silent":
      return 0;
    case "fatal":
    case "error":
      return 1;
    case "debug":
      return 4;
    case "trace":
      return 5;
    default:
      return 2;
  }
}
