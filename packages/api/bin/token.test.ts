import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { authenticate } from "../src/auth/auth.ts";

const cli = fileURLToPath(new URL("./token.ts", import.meta.url));
const secret = "t".repeat(40);

function token(args: string[], env: Record<string, string> = { AUTH_SECRET: secret }) {
  const run = spawnSync(process.execPath, ["--import", "tsx", cli, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

describe("npm run token", () => {
  it("prints a token with the subject (default: the role) and a bounded expiry", async () => {
    const named = token(["--role", "viewer", "--subject", "alice", "--expires", "30m"]);
    expect(named.status).toBe(0);
    const caller = await authenticate(named.stdout, secret);
    expect(caller).toMatchObject({ kind: "token", role: "viewer", sub: "alice" });
    const expiresIn = (caller as { expiresAt: number }).expiresAt - Date.now();
    expect(expiresIn).toBeGreaterThan(29 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);

    const unnamed = token(["--role", "streamer", "--streamer", "s1"]);
    expect(await authenticate(unnamed.stdout, secret)).toMatchObject({ sub: "streamer", streamerId: "s1" });
  });

  it("refuses beyond the maximum lifetime, in one line; --help prints the usage", () => {
    const tooLong = token(["--role", "admin", "--expires", "2d"]);
    expect(tooLong.status).toBe(2);
    expect(tooLong.stderr).toBe(
      "token: --expires 2d is longer than AUTH_TOKEN_MAX_LIFETIME_SECONDS (86400 s) (npm run token -- --help for usage)\n",
    );
    const help = token(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run token/);
  });

  describe("without AUTH_SECRET", () => {
    // Where the user ran npm (npm sets INIT_CWD): npm start keeps its secret in .data/ there.
    const repo = mkdtempSync(join(tmpdir(), "emote-token-"));
    afterAll(() => rmSync(repo, { recursive: true, force: true }));
    const kept = "k".repeat(64);
    const file = join(repo, "elsewhere", "auth-secret");

    it("refuses in one line naming the missing secret file, rather than advise a new secret no server knows", () => {
      const unset = token(["--role", "admin"], { INIT_CWD: repo });
      expect(unset.status).toBe(2);
      expect(unset.stderr).toBe(
        `token: AUTH_SECRET is not set and ${join(repo, ".data", "auth-secret")} does not exist: start npm start once (it makes that file) or set AUTH_SECRET to the server's secret (npm run token -- --help for usage)\n`,
      );
    });

    it("signs with npm start's kept secret (PULSE_DATA_DIR/auth-secret) on loopback, and says so on stderr", async () => {
      mkdirSync(join(repo, "elsewhere"), { recursive: true });
      writeFileSync(file, `${kept}\n`);
      const run = token(["--role", "viewer"], { INIT_CWD: repo, PULSE_DATA_DIR: "elsewhere" });
      expect(run.status).toBe(0);
      expect(run.stderr).toBe(`token: AUTH_SECRET is not set: signed with npm start's secret in ${file}\n`);
      expect(await authenticate(run.stdout, kept)).toMatchObject({ kind: "token", role: "viewer" });
    });

    it("does not use the kept secret off loopback, nor a file that holds no usable secret", () => {
      const off = token(["--role", "viewer"], {
        INIT_CWD: repo,
        PULSE_DATA_DIR: "elsewhere",
        HOST: "0.0.0.0",
      });
      expect(off.status).toBe(2);
      expect(off.stderr).toBe(
        "token: AUTH_SECRET is not set: set it to the secret the server on HOST=0.0.0.0 uses (npm run token -- --help for usage)\n",
      );
      writeFileSync(file, "short\n");
      const short = token(["--role", "viewer"], { INIT_CWD: repo, PULSE_DATA_DIR: "elsewhere" });
      expect(short.status).toBe(2);
      expect(short.stderr).toBe(
        `token: ${file} holds no usable secret (under 32 characters): delete it (npm run token -- --help for usage)\n`,
      );
    });
  });
});
