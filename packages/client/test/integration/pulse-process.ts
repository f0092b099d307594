import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "@emote/testkit";

export interface PulseProcess {
  url: string;
  authSecret: string;
  /** Stops the process; removes its data folder unless the caller gave it. */
  stop(): Promise<void>;
}

export interface PulseOptions {
  /** Kept across starts when given (a restart); otherwise a temporary folder. */
  dataDir?: string;
  port?: number;
  authSecret?: string;
  /** Simulated reaction ticks a second (default 50). */
  generatorRate?: number;
}

/**
 * `npm start`'s embedded server in its own process (in-process bus, embedded PostgreSQL in
 * a data folder), with simulated emotes for streamer "default".
 */
export async function startPulseProcess(opts: PulseOptions = {}): Promise<PulseProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "emote-sdk-pulse-"));
  const authSecret = opts.authSecret ?? randomBytes(48).toString("base64");
  // The embedded mode: no Kafka or PostgreSQL of the environment.
  const { KAFKA_BROKERS: _kafka, DATABASE_URL: _database, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "apps/pulse/src/main.ts"], {
    cwd: repoRoot,
    env: {
      ...inherited,
      PORT: String(opts.port ?? 0),
      HOST: "127.0.0.1",
      PULSE_DATA_DIR: dataDir,
      PULSE_GENERATOR_RATE: String(opts.generatorRate ?? 50),
      AUTH_SECRET: authSecret,
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(killer);
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("emote-pulse did not run within 240 s")), 240_000);
      child.once("exit", (code) => reject(new Error(`emote-pulse exited (${code}) before running`)));
      const lines = createInterface({ input: child.stdout });
      lines.on("line", (line) => {
        const found = /"url":"(http:[^"]+)"/.exec(line)?.[1];
        if (!found) return;
        clearTimeout(timer);
        lines.removeAllListeners("line");
        child.stdout.resume();
        resolve(found);
      });
    });
    return { url, authSecret, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
