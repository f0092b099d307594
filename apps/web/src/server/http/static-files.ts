import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/**
 * Serves the built dashboard. Unknown paths get index.html (client-side routes); paths
 * that try to leave the folder get 404. Hashed assets are cached for a year.
 */
export function staticFiles(root: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const base = normalize(root + sep);
  return async (req, res) => {
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("Bad request: malformed URL\n");
      return;
    }
    const candidate = normalize(join(base, path));
    if (!candidate.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    for (const file of [candidate, join(base, "index.html")]) {
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": info.size,
        "cache-control": file.includes(`${sep}assets${sep}`)
          ? "public, max-age=31536000, immutable"
          : "no-cache",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
      return;
    }
    res
      .writeHead(404, { "content-type": "text/plain" })
      .end("The dashboard is not built: npm run build -w @emote/web\n");
  };
}
