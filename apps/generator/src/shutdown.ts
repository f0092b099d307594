import type { Logger } from "@emote/observability";

export interface GracefulStopOptions {
  /** Stops taking new emotes; what was taken is still sent. */
  abort: () => void;
  /** Past this after the first signal, pending emotes are abandoned and the process exits 1. */
  timeoutMs: number;
  /** Emotes taken but not yet acknowledged. */
  pending: () => number;
  log: Logger;
  exit?: (code: number) => void;
}

export interface GracefulStop {
  /** For SIGINT/SIGTERM: the first one stops gracefully, a second one exits at once (130). */
  onSignal(signal: string): void;
  /** The run ended: the bound no longer applies. */
  done(): void;
}

/** A bounded graceful stop: flush what was taken, but not for longer than `timeoutMs`. */
export function gracefulStop(opts: GracefulStopOptions): GracefulStop {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  return {
    onSignal(signal) {
      if (stopping) {
        opts.log.warn({ signal, pending: opts.pending() }, `${signal} again: exiting at once`);
        exit(130);
        return;
      }
      stopping = true;
      opts.log.info(
        { signal, timeoutMs: opts.timeoutMs, pending: opts.pending() },
        `${signal}: sending what is pending, then stopping`,
      );
      timer = setTimeout(() => {
        const abandoned = opts.pending();
        opts.log.error(
          { timeoutMs: opts.timeoutMs, abandoned },
          `stopping took longer than ${opts.timeoutMs} ms: ${abandoned} pending emotes abandoned`,
        );
        exit(1);
      }, opts.timeoutMs);
      opts.abort();
    },
    done() {
      clearTimeout(timer);
    },
  };
}
