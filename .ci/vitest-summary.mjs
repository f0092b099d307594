// Adds up the "Tests  N passed | M failed" lines that vitest prints per package (turbo
// runs one vitest per workspace) into one closing line CI can read: "N passed, M failed".
import { readFileSync } from "node:fs";

// eslint-disable-next-line no-control-regex
const text = readFileSync(process.argv[2], "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0;
let failed = 0;
let skipped = 0;
for (const line of text.split("\n")) {
  const m = /^\S*[:\s]*Tests\s+(.*)\(\d+\)\s*$/.exec(line.trim().replace(/^@emote\/[\w-]+:test:\s*/, ""));
  if (!m) continue;
  passed += Number(/(\d+) passed/.exec(m[1])?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(m[1])?.[1] ?? 0);
  skipped += Number(/(\d+) skipped/.exec(m[1])?.[1] ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
