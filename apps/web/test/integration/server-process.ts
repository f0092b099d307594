import { DEV_AUTH_SECRET } from "@emote/config";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const WEB_DIR = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident memory now (VmRSS), MiB. */
  rssMiB(): number;
  /** Resolves with its exit code once it has exited (null: killed by a signal). */
  exited: Promise<number | null>;
  /** Its JSON log lines after the one naming its URL, as they come. */
  logs: string[];
  /** A counter or gauge from its /metrics (the sum over its label sets). */
  metric(name: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The web server as deployed: its own process (`src/server/main.ts`), configured only
 * through the environment, so its memory can be measured on its own.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    cwd: WEB_DIR,
    env: {
      ...process.env,
      PORT: "0",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      AUTH_SECRET: DEV_AUTH_SECRET,
      RATE_LIMIT_CONNECTIONS_PER_MINUTE: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not listen within 90 s")), 90_000);
    const lines = createInterface({ input: child.stdout });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
    lines.on("line", (line) => {
      const url = /"url":"(http:[^"]+)"/.exec(line)?.[1];
      if (!url) return;
      clearTimeout(timer);
      lines.removeAllListeners("line");
      lines.on("line", (later) => logs.push(later));
      resolve(url);
    });
  });
  const pid = child.pid as number;
  return {
    url,
    pid,
    exited,
    logs,
    rssMiB: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024,
    async metric(name) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let sum = 0;
      for (const line of text.split("\n")) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(" ").at(-1));
      }
      return sum;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
