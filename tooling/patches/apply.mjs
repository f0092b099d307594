// Run by npm after every install (root "postinstall"): fixes in dependencies that their
// released versions lack. Idempotent; fails the install if a file no longer looks as
// expected (a dependency was upgraded: check whether the fix is still needed).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const MARK = "/* emote-pulse patch */";

/**
 * postgres.js 3.4.9 defers small writes to a setImmediate and, on a closed connection,
 * clears that timer without forgetting it or the buffered bytes. A statement sent on a
 * connection whose socket just closed (a transaction's ROLLBACK after its connection
 * dropped) then writes to a null socket from the timer — an uncaught TypeError that ends
 * the process (porsager/postgres#1154, #1208) — or leaves stale bytes for the next
 * socket. Patched: a statement executed while the connection has no socket is rejected
 * with CONNECTION_CLOSED (that statement only: a query the pool queued on the reconnect
 * is untouched; `true` so the pool does not park the connection as busy), closing
 * forgets the deferred write, and a deferred write finding no socket is dropped (its
 * statements were rejected when the socket closed).
 */
const postgres = {
  name: "postgres",
  version: "3.4.9",
  files: ["src/connection.js", "cjs/src/connection.js"],
  edits: [
    [
      "      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n\n",
      `      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))\n\n    if (socket === null) { ${MARK}\n      queryError(q, Errors.connection('CONNECTION_CLOSED', options))\n      return true\n    }\n\n`,
    ],
    [
      "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
      `  function nextWrite(fn) {\n    if (socket === null) { ${MARK}\n      chunk = nextWriteTimer = null\n      return true\n    }\n    const x = socket.write(chunk, fn)\n`,
    ],
    [
      "    clearImmediate(nextWriteTimer)\n    if (socket) {\n",
      `    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n    if (socket) {\n`,
    ],
    [
      "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n",
      `    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n    socket.removeListener('data', data)\n`,
    ],
  ],
};

function apply({ name, version, files, edits }) {
  // npm hoists every workspace's dependencies to the root's node_modules.
  const root = fileURLToPath(new URL(`../../node_modules/${name}`, import.meta.url));
  const installed = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  if (installed !== version) {
    throw new Error(`${name} is ${installed}, the patch is for ${version}: see tooling/patches/apply.mjs`);
  }
  for (const file of files) {
    const path = join(root, file);
    let text = readFileSync(path, "utf8");
    if (text.includes(MARK)) continue;
    for (const [from, to] of edits) {
      if (!text.includes(from))
        throw new Error(`${path} does not look as expected: see tooling/patches/apply.mjs`);
      text = text.replace(from, to);
    }
    writeFileSync(path, text);
  }
  console.log(`patched ${name} ${version}`);
}

try {
  apply(postgres);
} catch (err) {
  console.error(`postinstall: ${err.message}`);
  process.exit(1);
}
