/**
 * npm run bench:startup — time from spawning `npm start`'s entry to its first served page:
 * a first start on an empty data folder (PGlite creates the database), then later starts
 * on the same folder; beside it, the same measure for a bare node+tsx HTTP server.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { restarts: { type: "string", default: "3" }, help: { type: "boolean", default: false } },
});
if (values.help) {
  console.log("Usage: npm run bench:startup -- [--restarts N]   (later starts measured N times, default 3)");
  process.exit(0);
}
const restarts = Number(values.restarts);
if (!Number.isInteger(restarts) || restarts < 1) {
  console.error("--restarts must be a positive integer");
  process.exit(2);
}
const root = fileURLToPath(new URL("../../..", import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function timeToFirstPage(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<number> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", script, ...args.map((a) => a.replace("PORT", String(port)))],
    {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      if (performance.now() - began > 60_000) throw new Error(`${script} did not serve a page within 60 s`);
      const ok = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return (performance.now() - began) / 1000;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "emote-startup-"));
const pulseEnv = { PULSE_DATA_DIR: dataDir, KAFKA_BROKERS: "", DATABASE_URL: "" };
const results: { what: string; seconds: number }[] = [];
try {
  results.push({
    what: "baseline: node + tsx, bare HTTP server",
    seconds: await timeToFirstPage("apps/pulse/bench/hello-server.ts", {}, ["PORT"]),
  });
  results.push({
    what: "npm start, first start (creates the database)",
    seconds: await timeToFirstPage("apps/pulse/src/main.ts", pulseEnv),
  });
  for (let i = 1; i <= restarts; i++) {
    results.push({
      what: `npm start, later start #${i}`,
      seconds: await timeToFirstPage("apps/pulse/src/main.ts", pulseEnv),
    });
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log("\nbench:startup — spawn to first served page (embedded mode)");
for (const r of results) console.log(`${r.seconds.toFixed(2).padStart(6)} s  ${r.what}`);
console.log(JSON.stringify(results));
