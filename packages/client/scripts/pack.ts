import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Builds the package and packs it into <repo>/.cache/sdk; the tarball's absolute path is
// the last line printed, for scripts (`npm run -s sdk:pack | tail -n 1`).
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const destination = resolve(packageDir, "../../.cache/sdk");
mkdirSync(destination, { recursive: true });
execFileSync("npx", ["tsx", join(packageDir, "scripts/build.ts")], {
  cwd: packageDir,
  stdio: ["ignore", 2, 2],
});
const packed = JSON.parse(
  execFileSync("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: packageDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", 2],
  }),
) as { filename: string }[];
const filename = packed[0]?.filename;
if (!filename) throw new Error("npm pack named no tarball");
console.log(join(destination, filename));
