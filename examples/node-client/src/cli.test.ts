import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { refusedPort } from "@emote/testkit";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs one of the example's scripts to its end (killed after 60 s): exit code and output. */
async function runScript(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", script, ...args],
      {
        cwd: exampleDir,
        timeout: 60_000,
        env: { ...process.env, EMOTE_URL: "", EMOTE_TOKEN: "" },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the example clients with a server that is not there", () => {
  for (const [script, extra] of [
    ["src/main.ts", []],
    ["src/react.ts", ["--emote", "🔥"]],
  ] as const) {
    const name = script === "src/main.ts" ? "node-client" : "react";
    it(`${script} says in one line which URL it could not reach, and exits 1`, async () => {
      const url = `http://127.0.0.1:${await refusedPort()}`;
      const { code, stdout, stderr } = await runScript(script, ["--url", url, ...extra]);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `${name}: cannot reach the Emote Pulse server at ${url} (connect ECONNREFUSED ${url.slice("http://".length)})\n`,
      );
    });
  }

  it("refuses a --url that is not an http(s) URL, naming it (exit 2)", async () => {
    const { code, stderr } = await runScript("src/main.ts", ["--url", "127.0.0.1:3000"]);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      'node-client: --url must be an http:// or https:// URL, not "127.0.0.1:3000"',
    );
  });
});
