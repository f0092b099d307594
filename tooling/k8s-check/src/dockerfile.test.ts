import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { baseImage, effectiveUser, lineage, parseDockerfile } from "./dockerfile.ts";
import { buildOverlay } from "./manifest.ts";
import { REPO_ROOT } from "./paths.ts";

const stages = parseDockerfile(readFileSync(`${REPO_ROOT}Dockerfile`, "utf8"));
const APPS = {
  web: "apps/web/src/server/main.ts",
  worker: "apps/worker/src/main.ts",
  generator: "apps/generator/src/main.ts",
  trending: "apps/trending/src/main.ts",
};

describe("the one Dockerfile", () => {
  it.each(Object.entries(APPS))(
    "has a target %s that runs its app with node as a non-root user",
    (target, main) => {
      const stage = stages.find((s) => s.name === target);
      expect(stage?.instructions.find((i) => i.op === "CMD")?.args).toBe(
        `["node", "--import", "tsx", "${main}"]`,
      );
      expect(effectiveUser(stages, target)).toBe("1000:1000");
      expect(lineage(stages, target).map((s) => s.name)).toEqual([target, "runtime"]);
    },
  );

  it("starts from a node 20 slim image pinned to a patch release", () => {
    for (const target of Object.keys(APPS))
      expect(baseImage(stages, target)).toMatch(/^node:20\.\d+\.\d+-\w+-slim$/);
  });

  it("is the only one: the per-app copies are gone", () => {
    for (const app of readdirSync(`${REPO_ROOT}apps`))
      expect(existsSync(`${REPO_ROOT}apps/${app}/Dockerfile`)).toBe(false);
  });

  it("serves docker-compose.yml, whose every build names one of its targets", () => {
    const compose = parse(readFileSync(`${REPO_ROOT}docker-compose.yml`, "utf8"), { merge: true }) as {
      services: Record<string, { build?: { context: string; target?: string; dockerfile?: string } }>;
    };
    const builds = Object.values(compose.services).flatMap((s) => (s.build ? [s.build] : []));
    expect(builds.length).toBeGreaterThanOrEqual(3);
    for (const b of builds) {
      expect(b.dockerfile).toBeUndefined();
      expect(Object.keys(APPS)).toContain(b.target);
    }
  });

  it("builds every image the Kubernetes overlays run (emote-pulse/<target>)", () => {
    const images = new Set(
      buildOverlay("single-node").flatMap(
        (o) => JSON.stringify(o).match(/"image":"emote-pulse\/[^"]+"/g) ?? [],
      ),
    );
    const targets = [...images].map((i) => /emote-pulse\/([a-z]+):/.exec(i)?.[1]);
    expect(new Set(targets)).toEqual(new Set(Object.keys(APPS)));
  });
});

describe("parseDockerfile", () => {
  it("follows FROM chains, ARG defaults and the last USER", () => {
    const s = parseDockerfile(
      "ARG IMG=node:20.1.2-bookworm-slim\nFROM ${IMG} AS a\nUSER 1000\nFROM a AS b\nRUN x \\\n  y\nUSER root\nFROM a AS c\n",
    );
    expect(baseImage(s, "c")).toBe("node:20.1.2-bookworm-slim");
    expect(effectiveUser(s, "c")).toBe("1000");
    expect(effectiveUser(s, "b")).toBe("root");
    expect(s.find((x) => x.name === "b")?.instructions[0]).toEqual({ op: "RUN", args: "x y" });
  });
});
