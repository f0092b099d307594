import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "@emote/infra";

const dataDir = mkdtempSync(join(tmpdir(), "emote-pulse-restart-"));
const running = new Set<ChildProcess>();
// Also after a test that timed out: no process of it outlives the file.
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stdout and stderr. */
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it (tsx on the real entry point), on its own port and data directory. */
async function start(generatorRate: number): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      PULSE_DATA_DIR: dataDir,
      PULSE_GENERATOR_RATE: String(generatorRate),
      LOG_FORMAT: "json",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let out = "";
  let url: string | undefined;
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    for (const line of out.split("\n")) {
      if (url === undefined && line.startsWith("{")) {
        const parsed = JSON.parse(line) as { msg?: string; url?: string };
        if (parsed.msg === "running") url = parsed.url;
      }
    }
  });
  await waitFor(
    "the process to say it is running",
    () => url !== undefined || child.exitCode !== null,
    90_000,
  );
  if (url === undefined) throw new Error(`it exited before running:\n${out}`);
  return { child, url, output: () => out, exited };
}

interface Counters {
  produced: number;
  consumed: number;
  skipped: number;
  moments: number;
}

async function counters(url: string): Promise<Counters> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  return {
    produced: value("emote_generator_emotes_produced_total"),
    consumed: value("emote_worker_emotes_consumed_total"),
    skipped: value("emote_worker_replayed_records_skipped_total"),
    moments: value("emote_worker_moments_emitted_total"),
  };
}

async function stop(run: Run): Promise<number | null | "still running"> {
  run.child.kill("SIGTERM");
  return Promise.race([
    run.exited,
    new Promise<"still running">((r) => setTimeout(() => r("still running"), 30_000)),
  ]);
}

describe("embedded mode (npm start) stopped and started again", () => {
  it("counts new emotes and makes new moments at once after a long first run", async () => {
    // A long first run: thousands of records in the in-process bus, checkpointed in PGlite.
    const first = await start(1_000);
    let before = await counters(first.url);
    await waitFor(
      "the first run to apply 10,000 emotes",
      async () => (before = await counters(first.url)).consumed >= 10_000,
      120_000,
      250,
    );
    expect(await stop(first)).toBe(0);

    // A slower second run: with offsets numbered from 0 again, it would take minutes to pass
    // the old checkpoint, and every emote until then would be skipped as already applied.
    const second = await start(50);
    let after = await counters(second.url);
    await waitFor(
      "new emotes counted and a new moment after the restart",
      async () => {
        after = await counters(second.url);
        return after.consumed > 0 && after.moments > 0;
      },
      45_000,
      250,
    );
    expect(after.skipped).toBe(0);
    expect(after.consumed).toBeLessThan(before.consumed);
    expect(await stop(second)).toBe(0);
  }, 300_000);
});
