import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { childProcesses } from "./child-processes.ts";
import { refusedPort } from "./refused-port.ts";
import { testInfraConfig } from "@emote/infra";

export interface EntryPoint {
  /** How the describe blocks name it: "the worker". */
  who: string;
  /** Its logger's `service`. */
  service: string;
  /** The package directory and the entry file in it, run with tsx. */
  cwd: string;
  entry: string;
  /** A numeric variable it reads (a bad value makes a configuration error), set to 0 otherwise. */
  portVariable: string;
  /** Variables every run needs to get past its configuration (the web server's AUTH_SECRET). */
  required?: Record<string, string>;
}

const children = childProcesses();

/** Runs the real entry point with only `vars` (and PATH) in its environment. */
function run(
  app: EntryPoint,
  vars: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = children.track(
    spawn(process.execPath, ["--import", "tsx", app.entry], {
      cwd: app.cwd,
      env: { PATH: process.env.PATH, ...app.required, ...vars },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/**
 * What a service's start says when it cannot start: one fatal line in the LOG_FORMAT asked
 * for, naming the bad variable; for an unreachable PostgreSQL, which one, DATABASE_URL and
 * what to do, never the password. Shared by the services' own test files.
 */
export function describeStartFailures(app: EntryPoint): void {
  afterEach(() => children.killAll());
  const BAD_PORT = `${app.portVariable}: Invalid input: expected number, received NaN`;

  describe(`${app.who}'s start with an invalid configuration`, () => {
    it("writes its one fatal line in the LOG_FORMAT asked for: pretty", async () => {
      const r = await run(app, { LOG_FORMAT: "pretty", [app.portVariable]: "abc" });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(
        new RegExp(
          String.raw`^\[\d\d:\d\d:\d\d\.\d{3}\] FATAL: cannot start: Invalid configuration:\n  ${BAD_PORT}\n    service: "${app.service}"\n$`,
        ),
      );
    });

    it("writes its one fatal line in the LOG_FORMAT asked for: json", async () => {
      const r = await run(app, { LOG_FORMAT: "json", [app.portVariable]: "abc" });
      expect(r.code).toBe(1);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        level: 60,
        service: app.service,
        msg: `cannot start: Invalid configuration:\n  ${BAD_PORT}`,
      });
    });

    it("falls back to JSON off a terminal when LOG_FORMAT itself is invalid, and names it", async () => {
      const r = await run(app, { LOG_FORMAT: "xml", [app.portVariable]: "abc" });
      expect(r.code).toBe(1);
      const line = JSON.parse(r.stdout) as { level: number; msg: string };
      expect(line.level).toBe(60);
      expect(line.msg).toContain(BAD_PORT);
      expect(line.msg).toMatch(/\n {2}LOG_FORMAT: /);
    });
  });

  describe(`${app.who}'s start with PostgreSQL not answering`, () => {
    it("says which PostgreSQL, DATABASE_URL and what to do, without the password", async () => {
      const port = await refusedPort();
      const r = await run(app, {
        LOG_FORMAT: "json",
        [app.portVariable]: "0",
        KAFKA_BROKERS: testInfraConfig().brokers.join(","),
        DATABASE_URL: `postgres://emote:s3cret-pw@127.0.0.1:${port}/emote`,
      });
      expect(r.code).toBe(1);
      const fatal = r.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .filter((l) => l.level === 60);
      expect(fatal.map((l) => l.msg)).toEqual([
        `cannot start: PostgreSQL at 127.0.0.1:${port}/emote (DATABASE_URL) does not answer: ` +
          `connect ECONNREFUSED 127.0.0.1:${port} — start it, or set DATABASE_URL to a reachable server`,
      ]);
      expect(r.stdout).not.toContain("s3cret-pw");
    });
  });
}
