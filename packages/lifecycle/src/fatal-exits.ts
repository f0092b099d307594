/**
 * The log calls the process's lifecycle makes. A pino `Logger` is one; @emote/lifecycle
 * does not depend on @emote/observability (which depends on it for `withDeadline`).
 */
export interface ProcessLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  fatal(fields: object, msg: string): void;
}

/** The part of `process` this needs; tests pass their own. */
export interface FatalExitHost {
  on(event: "uncaughtException" | "unhandledRejection", listener: (err: unknown) => void): unknown;
  exit(code: number): void;
}

/**
 * A bug that escapes every handler (an exception thrown from a timer, a rejected promise
 * nobody awaits) ends the process as Node would — exit code 1 — but through the process's
 * logger: one `fatal` line with the service, the message and the stack, where the
 * operator's log pipeline looks, instead of a bare stack trace on stderr.
 */
export function logFatalExits(log: ProcessLogger, host: FatalExitHost = process): void {
  const fatal = (kind: string) => (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    log.fatal(
      { error: { name: e.name, message: e.message, stack: e.stack } },
      `${kind}: ${e.message}; exiting`,
    );
    host.exit(1);
  };
  host.on("uncaughtException", fatal("uncaught exception"));
  host.on("unhandledRejection", fatal("unhandled rejection"));
}
