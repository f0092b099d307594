import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { authenticate } from "@emote/api";
import { childProcesses, waitFor } from "@emote/testkit";

const dataDir = mkdtempSync(join(tmpdir(), "emote-pulse-restart-"));
const children = childProcesses();
// Also after a test that failed or timed out: no process of it outlives the test.
afterEach(() => children.killAll());
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface LogLine {
  msg?: string;
  url?: string;
  file?: string;
}

interface Run {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stdout and stderr. */
  output: () => string;
  /** Its JSON log lines so far. */
  logLines: () => LogLine[];
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
  children.track(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let out = "";
  let stdout = "";
  const lines: LogLine[] = [];
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
    const complete = stdout.split("\n");
    stdout = complete.pop() ?? "";
    for (const line of complete) if (line.startsWith("{")) lines.push(JSON.parse(line) as LogLine);
  });
  const runningAt = () => lines.find((l) => l.msg === "running")?.url;
  await waitFor(
    "the process to say it is running",
    () => runningAt() !== undefined || child.exitCode !== null,
    90_000,
  );
  const url = runningAt();
  if (url === undefined) throw new Error(`it exited before running:\n${out}`);
  return { child, url, output: () => out, logLines: () => lines, exited };
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

describe("embedded mode (npm start) with its output not on a terminal", () => {
  it("writes the development tokens to PULSE_DATA_DIR/tokens and logs where, without logging them", async () => {
    const run = await start(0);
    const written = () => run.logLines().find((l) => l.msg?.startsWith("development tokens written"))?.file;
    await waitFor("the log line naming the tokens file", () => written() !== undefined, 30_000);
    const file = written() as string;
    expect(file).toBe(join(dataDir, "tokens"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(join(dataDir, "auth-secret"), "utf8").trim();
    const rows = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    expect(rows.map(([role]) => role)).toEqual(["viewer", "streamer", "moderator", "admin"]);
    for (const [role, token] of rows) {
      expect(await authenticate(token as string, secret)).toMatchObject({ kind: "token", role });
      expect(run.output()).not.toContain(token);
    }
    expect(await stop(run)).toBe(0);
  }, 120_000);
});

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
