import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEV_AUTH_SECRET } from "@emote/config";

// The web server's own process, as `npm start -w @emote/web` runs it: a bad secret stops
// it before it opens a port or a connection, with one line that says what to do.
const appDir = fileURLToPath(new URL("../..", import.meta.url));

function start(env: Record<string, string>): { status: number | null; lines: string[] } {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", PORT: "0", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const lines = `${run.stdout}${run.stderr}`.split("\n").filter(Boolean);
  return { status: run.status, lines };
}

const message = (line: string | undefined) => (JSON.parse(line ?? "{}") as { msg?: string }).msg;

describe("web server start-up", () => {
  it("refuses to start without AUTH_SECRET, naming it and how to make one", () => {
    const { status, lines } = start({});
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(message(lines[0])).toBe(
      "cannot start: AUTH_SECRET is not set: make one with `openssl rand -base64 48` and set it in the environment",
    );
  });

  it("refuses the development secret off loopback and with NODE_ENV=production", () => {
    const offLoopback = start({ AUTH_SECRET: DEV_AUTH_SECRET, HOST: "0.0.0.0" });
    expect(offLoopback.status).toBe(1);
    expect(message(offLoopback.lines[0])).toContain(
      "AUTH_SECRET is the development secret, refused on HOST=0.0.0.0",
    );
    const production = start({ AUTH_SECRET: DEV_AUTH_SECRET, NODE_ENV: "production" });
    expect(production.status).toBe(1);
    expect(message(production.lines[0])).toContain("refused with NODE_ENV=production");
  });
});
