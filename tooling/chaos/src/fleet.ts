import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DEV_AUTH_SECRET } from "@emote/config";
import { repoRoot } from "@emote/infra";

/** A worker, gateway or trending process as deployed: its own node process, configured by the environment only. */
export interface ServiceProcess {
  name: string;
  pid: number;
  /** Resolves when the process has exited, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first JSON log line whose `msg` starts with `msg` (rejects if the process exits first). */
  logged(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Every stdout line so far, as written: what a failed test shows of the process. */
  output(): readonly string[];
  kill(signal: NodeJS.Signals): void;
}

const ENTRY = {
  worker: { dir: join(repoRoot, "apps", "worker"), main: "src/main.ts" },
  web: { dir: join(repoRoot, "apps", "web"), main: "src/server/main.ts" },
  trending: { dir: join(repoRoot, "apps", "trending"), main: "src/main.ts" },
} as const;

export type ServiceKind = keyof typeof ENTRY;

/**
 * Starts `apps/<kind>`'s entry point with `vars` (node itself, not an npm wrapper, so a
 * signal reaches the service). Its JSON logs are read line by line; stderr is passed on.
 */
export function spawnService(kind: ServiceKind, name: string, vars: Record<string, string>): ServiceProcess {
  const entry = ENTRY[kind];
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", entry.main], {
    cwd: entry.dir,
    env: {
      ...process.env,
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      METRICS_PORT: "0",
      ...(kind === "web"
        ? { PORT: "0", AUTH_SECRET: DEV_AUTH_SECRET, RATE_LIMIT_CONNECTIONS_PER_MINUTE: "0" }
        : {}),
      ...vars,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const lines: string[] = [];
  const seen: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  if (child.stdout) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      if (!line.startsWith("{")) return;
      try {
        seen.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        return;
      }
      for (const w of waiters) w();
    });
  }
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  return {
    name,
    pid: child.pid,
    exited,
    logged(msg, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = seen.find((l) => typeof l.msg === "string" && l.msg.startsWith(msg));
          if (!hit) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not log "${msg}" within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        void exited.then(({ code, signal }) => {
          done();
          reject(new Error(`${name} exited (${signal ?? code}) before logging "${msg}"`));
        });
        waiters.add(check);
        check();
      });
    },
    output: () => lines,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Stops what is still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(services: ServiceProcess[], graceMs = 20_000): Promise<void> {
  await Promise.all(
    services.map(async (s) => {
      s.kill("SIGTERM");
      const killer = setTimeout(() => s.kill("SIGKILL"), graceMs);
      await s.exited;
      clearTimeout(killer);
    }),
  );
}
