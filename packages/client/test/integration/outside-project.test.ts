import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import { repoRoot } from "@emote/testkit";
import { startPulseProcess, type PulseProcess } from "./pulse-process.ts";

const run = promisify(execFile);
const packageDir = join(repoRoot, "packages/client");
const appDir = join(packageDir, "test/outside-app");

/** Versions as this repository pins them: the outside app installs the same from the registry. */
function pinned(file: string, section: string, name: string): string {
  const json = JSON.parse(readFileSync(join(repoRoot, file), "utf8")) as Record<
    string,
    Record<string, string>
  >;
  const version = json[section]?.[name];
  if (!version) throw new Error(`${file} pins no ${name} in ${section}`);
  return `${name}@${version}`;
}

/** Runs a command to its end (killed after `timeoutMs`); a failure's message has its output. */
async function sh(cwd: string, command: string, args: string[], timeoutMs: number) {
  try {
    return await run(command, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${(err as Error).message}${stdout ?? ""}${stderr ?? ""}`, { cause: err });
  }
}

describe("@emote-pulse/client installed from its tarball into a project outside the repository", () => {
  let tarball: string;
  let project: string;
  let server: PulseProcess | undefined;

  beforeAll(async () => {
    const packed = await sh(repoRoot, "npm", ["run", "-s", "sdk:pack"], 300_000);
    tarball = packed.stdout.trim().split("\n").at(-1) ?? "";
    expect(tarball).toMatch(/\/\.cache\/sdk\/emote-pulse-client-[\d.]+\.tgz$/);
    project = mkdtempSync(join(tmpdir(), "emote-sdk-consumer-"));
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "outside-app", private: true, type: "module" }, null, 2),
    );
    copyFileSync(join(appDir, "tsconfig.json"), join(project, "tsconfig.json"));
    copyFileSync(join(appDir, "main.ts"), join(project, "main.ts"));
    await sh(
      project,
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--save-exact",
        tarball,
        pinned("packages/client/package.json", "peerDependencies", "@trpc/client"),
        pinned("packages/client/package.json", "peerDependencies", "@trpc/server"),
        pinned("package.json", "devDependencies", "typescript"),
        pinned("package.json", "devDependencies", "@types/node"),
        pinned("examples/node-client/package.json", "dependencies", "ws"),
        pinned("examples/node-client/package.json", "devDependencies", "@types/ws"),
      ],
      300_000,
    );
    server = await startPulseProcess();
  });

  afterAll(async () => {
    await server?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("ships declarations that import nothing but its tRPC peers", () => {
    const installed = join(project, "node_modules/@emote-pulse/client");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
    const declarations = ["index", "client", "data-types", "public-types"].map((f) =>
      readFileSync(join(installed, `dist/${f}.d.ts`), "utf8"),
    );
    const specifiers = declarations.flatMap((text) =>
      ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName),
    );
    expect(new Set(specifiers.filter((s) => !s.startsWith("./")))).toEqual(
      new Set(["@trpc/client", "@trpc/server", "@trpc/server/unstable-core-do-not-import"]),
    );
  });

  it("type-checks a program with strict nodenext settings, which follows a live moment and sends an emote", async () => {
    // tsc fails on any type error (its output says which); it then writes dist/main.js.
    await sh(project, join(project, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], 180_000);
    const token = await signToken({ role: "viewer", sub: "outside-app" }, server?.authSecret ?? "");
    const { stdout } = await run(process.execPath, ["dist/main.js"], {
      cwd: project,
      timeout: 120_000,
      env: { ...process.env, EMOTE_URL: server?.url, EMOTE_TOKEN: token },
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as {
      moment: { streamerId: string; emote: string; count: number; ratio: number; id: string };
      sent: { id: string; timestamp: string };
      emote: string;
    };
    expect(result.moment.streamerId).toBe("default");
    expect(result.moment.count).toBeGreaterThan(0);
    expect(result.moment.ratio).toBeGreaterThan(0);
    expect(result.moment.id).not.toBe("");
    expect(result.sent.id).not.toBe("");
    expect(Date.parse(result.sent.timestamp)).not.toBeNaN();
  });

  it("passes publint and Are The Types Wrong (ESM, node16 and bundler resolution)", async () => {
    const bin = join(repoRoot, "node_modules/.bin");
    const lint = await sh(packageDir, join(bin, "publint"), ["--strict"], 120_000);
    expect(lint.stdout).toContain("All good!");
    // Exits non-zero on any problem in the resolutions the profile checks.
    await sh(packageDir, join(bin, "attw"), ["--profile", "esm-only", "--format", "ascii", tarball], 120_000);
  });
});
