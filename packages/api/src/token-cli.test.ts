import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { authenticate } from "./auth.ts";

const cli = fileURLToPath(new URL("./token-cli.ts", import.meta.url));
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

  it("refuses to sign without AUTH_SECRET or beyond the maximum lifetime", () => {
    const unset = token(["--role", "admin"], {});
    expect(unset.status).toBe(2);
    expect(unset.stderr).toContain("AUTH_SECRET is not set: make one with `openssl rand -base64 48`");
    const tooLong = token(["--role", "admin", "--expires", "2d"]);
    expect(tooLong.status).toBe(2);
    expect(tooLong.stderr).toContain("--expires 2d is longer than AUTH_TOKEN_MAX_LIFETIME_SECONDS (86400 s)");
  });
});
