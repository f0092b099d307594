import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { childProcesses, testInfraConfig } from "@emote/testkit";
import { assertNginx } from "../../src/nginx.ts";
import { readRehearseEnv } from "../../src/env.ts";

const infra = testInfraConfig();
const dir = fileURLToPath(new URL("../..", import.meta.url));
const children = childProcesses();
afterEach(() => children.killAll());

describe("npm run rehearse:deploy -- --quick", () => {
  // Timing (refusals, reconnect p99) is the benchmark's to judge, on a machine of its own: here the
  // other suites share the two cores, so this judges what must hold anywhere (docs/operations.md).
  it("rolls the gateways and switches blue-green and back behind nginx, losing no moment and no acknowledged emote", async () => {
    // No nginx is a failure with what to install, not a skip.
    assertNginx(readRehearseEnv().NGINX_BIN);
    const child = children.track(
      spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--quick", "--correctness-only"], {
        cwd: dir,
        env: { ...process.env, KAFKA_BROKERS: infra.brokers.join(","), DATABASE_URL: infra.databaseUrl },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const progress = stderr
      .split("\n")
      .filter((l) => l.startsWith("[rehearse") || l.startsWith("[nginx"))
      .join("\n");
    expect(code, `${stdout}\n--- progress ---\n${progress}`).toBe(0);
    expect(stdout).toContain("every target met");
    expect(stdout).toMatch(/moments per subscriber — lost 0 in all/);
    for (const phase of ["rolling restart", "blue-green switch", "rollback"])
      expect(stdout).toContain(`| ${phase} |`);
  });
});
