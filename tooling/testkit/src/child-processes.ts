import type { ChildProcess } from "node:child_process";

const EXIT_WAIT_MS = 10_000;

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, EXIT_WAIT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The processes a test file starts. `killAll()` belongs in an afterEach: vitest runs it
 * even after a test timed out, when the test's own finally blocks have not run yet. The
 * test runner's process exiting kills them too.
 */
export function childProcesses(): {
  track<T extends ChildProcess>(child: T): T;
  killAll(): Promise<void>;
} {
  const children = new Set<ChildProcess>();
  const killAllNow = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", killAllNow);
  return {
    track(child) {
      children.add(child);
      child.once("exit", () => children.delete(child));
      return child;
    },
    async killAll() {
      const left = [...children];
      killAllNow();
      await Promise.all(left.map(exitOf));
    },
  };
}
