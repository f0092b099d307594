import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";
import { writeDeclarations } from "./declarations.ts";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(packageDir, "src/index.ts");
const outDir = join(packageDir, "dist");

rmSync(outDir, { recursive: true, force: true });
// The workspace code the client uses (@emote/api/client's links) is bundled in; tRPC is a
// peer dependency, so it stays an import.
await build({
  input: entry,
  platform: "neutral",
  external: [/^@trpc\//],
  output: { file: join(outDir, "index.js"), format: "esm" },
  logLevel: "warn",
});
writeDeclarations(packageDir, entry, outDir);
console.log(`built ${outDir}`);
