import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, authenticate, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import { handleProbe, type Probes } from "@emote/observability";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { staticFiles } from "./static-files.ts";

export interface HttpDeps {
  db: Database;
  authSecret: string;
  live: LiveSources;
  staticRoot: string;
  /** Served at /metrics, /healthz (alive) and /readyz (Kafka and PostgreSQL answer). */
  probes: Probes;
}

/** One HTTP server: tRPC under /trpc, the probes (/metrics, /healthz, /readyz), the dashboard elsewhere. */
export function createWebServer(deps: HttpDeps): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: async ({ req }) => ({
      db: deps.db,
      live: deps.live,
      caller: await authenticate(req.headers.authorization, deps.authSecret),
      requestId: randomUUID(),
    }),
  });
  const dashboard = staticFiles(deps.staticRoot);
  return createServer((req, res) => {
    if (handleProbe(deps.probes, req, res)) return;
    const path = (req.url ?? "/").split("?")[0];
    if (path?.startsWith("/trpc/")) {
      trpc(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { "content-type": "text/plain" }).end("Method not allowed\n");
      return;
    }
    dashboard(req, res).catch(() => res.writeHead(500).end());
  });
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
