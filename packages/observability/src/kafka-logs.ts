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
 * Broker errors that are part of every rebalance or coordinator move, by kafkajs type
 * and message (node_modules/kafkajs/src/protocol/error.js). kafkajs retries or rejoins on
 * each (its `isRebalancing`, `findGroupCoordinator`), yet logs the failed response at
 * ERROR, which would trip log-based alerts on every deploy or scale.
 */
const ROUTINE_GROUP_ERRORS: ReadonlyMap<string, string> = new Map([
  ["REBALANCE_IN_PROGRESS", "The group is rebalancing, so a rejoin is needed"],
  ["NOT_COORDINATOR_FOR_GROUP", "This is not the correct coordinator for this group"],
  ["ILLEGAL_GENERATION", "Specified group generation id is not valid"],
  ["GROUP_LOAD_IN_PROGRESS", "The coordinator is loading and hence can't process requests for this group"],
  ["GROUP_COORDINATOR_NOT_AVAILABLE", "The group coordinator is not available"],
]);
const ROUTINE_MESSAGES = new Set(ROUTINE_GROUP_ERRORS.values());

/**
 * Whether an entry reports one of those errors. kafkajs puts the error in `error`: its
 * message (a failed response: "Response Heartbeat(…)") or the error itself (with `type`);
 * or it logs the error's message as the entry's message.
 */
function isRoutineGroupError({ message, error }: KafkaLogEntry["log"]): boolean {
  if (ROUTINE_MESSAGES.has(message)) return true;
  if (typeof error === "string") return ROUTINE_MESSAGES.has(error);
  if (typeof error === "object" && error !== null && "type" in error) {
    return typeof error.type === "string" && ROUTINE_GROUP_ERRORS.has(error.type);
  }
  return false;
}

function pinoLevel({ level, log }: KafkaLogEntry): "error" | "warn" | "info" | "debug" {
  if (level === 1 && isRoutineGroupError(log)) return "warn";
  return LEVELS[level] ?? "info";
}

/**
 * A kafkajs `logCreator` that routes the client's logs into the process's logger, so
 * they share its format and fields (kafkajs would otherwise print its own JSON).
 */
export function kafkaLogCreator(logger: Logger): (level: number) => (entry: KafkaLogEntry) => void {
  const kafka = logger.child({ component: "kafkajs" });
  return () => (entry) => {
    const { message, timestamp: _t, logger: _l, ...fields } = entry.log;
    kafka[pinoLevel(entry)]({ namespace: entry.namespace, ...fields }, message);
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
