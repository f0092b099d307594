export { withDeadline } from "./deadline.ts";

export interface ShutdownOptions {
  /** Drains and closes everything; exit code 0 once it resolves. */
  stop: () => Promise<void>;
  log: (line: string) => void;
  /** What stopping does, for the log line ("draining the batch in flight"). */
  doing: string;
  /** Past this, the process exits with 1 without waiting further. */
  timeoutMs: number;
  exit?: (code: number) => void;
}

/**
 * Stops once on the first SIGINT or SIGTERM: logs, runs `stop` within a bounded time,
 * exits 0 on a clean stop and 1 otherwise. Returns the handler, for tests.
 */
export function stopOnSignals(opts: ShutdownOptions): (signal: string) => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.log(`${signal}: ${opts.doing}`);
    const timer = setTimeout(() => {
      opts.log(`stopping took longer than ${opts.timeoutMs} ms; exiting without a clean close`);
      exit(1);
    }, opts.timeoutMs);
    opts.stop().then(
      () => {
        clearTimeout(timer);
        opts.log("stopped cleanly");
        exit(0);
      },
      (err: Error) => {
        clearTimeout(timer);
        opts.log(`error while stopping: ${err.message}`);
        exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  return shutdown;
}
