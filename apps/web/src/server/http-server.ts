import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, authenticate } from "@emote/api";
import type { Database } from "@emote/db";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";

/** One HTTP server: tRPC under /trpc and a liveness probe at /healthz. */
export function createWebServer(db: Database, authSecret: string): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: async ({ req }) => ({
      db,
      caller: await authenticate(req.headers.authorization, authSecret),
    }),
  });
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
      return;
    }
    if (path?.startsWith("/trpc/")) {
      trpc(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
  });
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
