import { logFatalExits, type ProcessLogger } from "./fatal-exits.ts";

export type StopSignal = "SIGINT" | "SIGTERM";

/** The part of `process` an entry point's lifecycle uses; tests pass their own. */
export interface MainHost {
  readonly argv: readonly string[];
  on(
    event: StopSignal | "uncaughtException" | "unhandledRejection",
    listener: (arg: unknown) => void,
  ): unknown;
  exit(code: number): void;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** How a signal stops the process. */
export interface StopPlan {
  /** What stopping does, for the log line ("draining the batch in flight"). */
  doing: string;
  /** Past this after the first signal, the process exits 1 without waiting further. */
  timeoutMs: number;
  /** What is still in flight, counted on every line (the generator's unacknowledged emotes). */
  pending?: { count: () => number; what: string };
}

export interface Stopping {
  /** Aborted by the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Resolves at the first SIGINT or SIGTERM. */
  requested: Promise<void>;
}

export interface MainContext {
  /** From here on the process's fatal lines (and escaping exceptions) go through `log`. */
  useLogger(log: ProcessLogger): void;
  /**
   * Handles SIGINT and SIGTERM from now on (before, Node's default ends the process).
   * The first one logs, aborts `signal` and starts the bound; `main` then stops and
   * returns its exit code.
   */
  stopOn(plan: StopPlan): Stopping;
  /** Runs once `main` has settled, before the exit (flushing spans); within the bound after a signal. */
  atExit(task: () => Promise<unknown>): void;
}

export interface MainOptions {
  /** Names the process on stderr ("emote-generator"). */
  name: string;
  /** Printed on --help or -h before anything else runs, then exit 0. */
  help?: string;
  /** The logger until `useLogger`: the configuration it would come from may be what failed. */
  fallbackLogger: () => ProcessLogger;
  /** The caller's mistakes (bad flags): one line on stderr, exit 2, no log line. */
  isUsageError?: (err: unknown) => err is Error;
  host?: MainHost;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs an entry point. `main` configures, starts and — once a signal came, or its work is
 * done — stops; it returns the exit code. Around it:
 * - `--help` / `-h` prints `help` and exits 0;
 * - an error escaping `main` is one `fatal` line (`cannot start: …`, or `error while
 *   stopping: …` after a signal), exit 1; a usage error one line on stderr, exit 2;
 * - an exception or rejection escaping every handler is one `fatal` line, exit 1;
 * - the first SIGINT/SIGTERM (once `stopOn` is called) logs what stopping does and bounds
 *   it: past `timeoutMs` the process exits 1, saying what it abandons; the same signal
 *   again exits at once with 130 (a second Ctrl-C); a different one changes nothing.
 * Resolves with the exit code after `host.exit` (which ends a real process).
 */
export function runMain(options: MainOptions, main: (ctx: MainContext) => Promise<number>): Promise<number> {
  const host = options.host ?? process;
  let logger: ProcessLogger | undefined;
  const current = () => (logger ??= options.fallbackLogger());
  const log: ProcessLogger = {
    info: (fields, msg) => current().info(fields, msg),
    warn: (fields, msg) => current().warn(fields, msg),
    error: (fields, msg) => current().error(fields, msg),
    fatal: (fields, msg) => current().fatal(fields, msg),
  };

  let exited: number | undefined;
  let resolveExit: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (resolveExit = resolve));
  let timer: NodeJS.Timeout | undefined;
  const exit = (code: number) => {
    if (exited !== undefined) return;
    exited = code;
    clearTimeout(timer);
    host.exit(code);
    resolveExit(code);
  };

  if (options.help !== undefined && host.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
    host.stdout.write(options.help.endsWith("\n") ? options.help : `${options.help}\n`);
    exit(0);
    return done;
  }
  logFatalExits(log, { on: (event, listener) => host.on(event, listener), exit });

  const controller = new AbortController();
  const requested = new Promise<void>((resolve) =>
    controller.signal.addEventListener("abort", () => resolve(), { once: true }),
  );
  let first: StopSignal | undefined;
  const exitTasks: (() => Promise<unknown>)[] = [];

  const ctx: MainContext = {
    useLogger: (l) => void (logger = l),
    atExit: (task) => void exitTasks.push(task),
    stopOn(plan) {
      const pendingFields = () => (plan.pending ? { pending: plan.pending.count() } : {});
      const onSignal = (signal: StopSignal) => {
        if (first !== undefined) {
          // The stop is bounded already; only a repeated Ctrl-C means "now".
          if (signal !== first) return;
          log.warn({ signal, ...pendingFields() }, `${signal} again: exiting at once`);
          exit(130);
          return;
        }
        first = signal;
        log.info({ signal, timeoutMs: plan.timeoutMs, ...pendingFields() }, `${signal}: ${plan.doing}`);
        timer = setTimeout(() => {
          const bound = `stopping took longer than ${plan.timeoutMs} ms`;
          if (plan.pending) {
            const abandoned = plan.pending.count();
            log.error(
              { timeoutMs: plan.timeoutMs, abandoned },
              `${bound}: ${abandoned} ${plan.pending.what} abandoned`,
            );
          } else log.error({ timeoutMs: plan.timeoutMs }, `${bound}; exiting without a clean close`);
          exit(1);
        }, plan.timeoutMs);
        controller.abort();
      };
      host.on("SIGINT", () => onSignal("SIGINT"));
      host.on("SIGTERM", () => onSignal("SIGTERM"));
      return { signal: controller.signal, requested };
    },
  };

  const settle = async (): Promise<number> => {
    let code: number;
    try {
      code = await main(ctx);
    } catch (err) {
      if (options.isUsageError?.(err)) {
        host.stderr.write(`${options.name}: ${err.message}\n`);
        code = 2;
      } else {
        log.fatal({}, `${first ? "error while stopping" : "cannot start"}: ${messageOf(err)}`);
        code = 1;
      }
    }
    for (const task of exitTasks) {
      await task().catch((err: unknown) => log.warn({}, messageOf(err)));
    }
    if (first && code === 0) log.info({}, "stopped cleanly");
    return code;
  };
  settle().then(exit, (err: unknown) => {
    // Only a logger that throws gets here: the plainest line there is.
    host.stderr.write(`${options.name}: ${messageOf(err)}\n`);
    exit(1);
  });
  return done;
}
