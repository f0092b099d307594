import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectedMomentSchema } from "../detectors/detector-types.ts";
import { audience, during, POPULAR_MIX, syntheticChat } from "../../test/synthetic-chat.ts";

const dir = mkdtempSync(join(tmpdir(), "detect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI as `npm run detect` does; killed if it outlives the bound. */
function detect(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/detect.ts", ...args], { stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe("npm run detect", () => {
  it("prints moments on stdout and a summary with the bad-line count on stderr", async () => {
    const records = syntheticChat(300, [
      { rate: () => 3, emote: POPULAR_MIX, viewer: audience(100) },
      { rate: during(200, 220, 8), emote: () => "🔥", viewer: audience(20, "fan") },
    ]);
    const lines = records.map((r) =>
      JSON.stringify({
        emote: r.emote,
        timestamp: new Date(r.timestampMs).toISOString(),
        streamerId: r.streamerId,
        viewer: r.viewer,
      }),
    );
    const input = join(dir, "chat.jsonl");
    writeFileSync(input, [...lines.slice(0, 10), "garbage", ...lines.slice(10)].join("\n"));
    const { code, stdout, stderr } = await detect(["--input", input]);
    expect(code).toBe(0);
    const moments = stdout
      .trim()
      .split("\n")
      .map((l) => detectedMomentSchema.parse(JSON.parse(l)));
    expect(moments.map((m) => [m.emote, "endedAt" in m])).toEqual([["🔥", true]]);
    expect(stderr).toContain("detect: line 11 skipped: not JSON");
    expect(stderr).toMatch(new RegExp(`${lines.length + 1} lines, 1 skipped, 1 moments \\(surge\\)`));
  });

  it("reads milliseconds from a stream's start with --time-unit ms, and hints at it when they land in 1970", async () => {
    const records = syntheticChat(300, [
      { rate: () => 3, emote: POPULAR_MIX, viewer: audience(100) },
      { rate: during(200, 220, 8), emote: () => "🔥", viewer: audience(20, "fan") },
    ]);
    const start = records[0]?.timestampMs ?? 0;
    const write = (name: string, timestamp: (ms: number) => string | number): string => {
      const path = join(dir, name);
      const lines = records.map((r) =>
        JSON.stringify({
          emote: r.emote,
          timestamp: timestamp(r.timestampMs),
          streamerId: r.streamerId,
          viewer: r.viewer,
        }),
      );
      writeFileSync(path, lines.join("\n"));
      return path;
    };
    const iso = write("iso.jsonl", (ms) => new Date(ms - start).toISOString());
    const relative = write("relative-ms.jsonl", (ms) => ms - start);
    const expected = await detect(["--input", iso]);
    expect(expected.stdout.trim().split("\n")).toHaveLength(1);

    const asMs = await detect(["--input", relative, "--time-unit", "ms"]);
    expect(asMs.code).toBe(0);
    expect(asMs.stdout).toBe(expected.stdout);
    expect(asMs.stderr).not.toContain("--time-unit");

    // Read as seconds, five minutes of chat spread over 3.5 days: no moment, and the hint.
    const auto = await detect(["--input", relative]);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toBe("");
    expect(auto.stderr).toContain(`${records.length} records are dated in 1970`);
    expect(auto.stderr).toContain("pass --time-unit ms");
  });

  it("refuses bad arguments with one line and the usage, exit code 2", async () => {
    const cases: [string[], string][] = [
      [[], "detect: --input is required"],
      [["--input", join(dir, "missing.jsonl")], "detect: ENOENT"],
      [["--input", "-", "--detector", "magic"], "detect: --detector must be one of surge, threshold"],
      [
        ["--input", "-", "--settings", '{"sensitivity":3}'],
        "detect: invalid settings sensitivity: Surge sensitivity must be from 0",
      ],
      [["--input", "-", "--settings", '{"cooldown":3}'], "detect: invalid settings"],
      [["--input", "-", "--time-unit", "minutes"], "detect: --time-unit must be one of auto, s, ms"],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await detect(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.startsWith(message), stderr).toBe(true);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});
