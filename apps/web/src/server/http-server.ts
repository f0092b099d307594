import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HistoryAllowance, appRouter, authenticate, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import { handleProbe, type Probes } from "@emote/observability";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { readBodyWithin } from "./body-limit.ts";
import type { ClientLimits } from "./env.ts";
import { staticFiles } from "./static-files.ts";

export interface HttpDeps {
  db: Database;
  authSecret: string;
  live: LiveSources;
  staticRoot: string;
  /** Served at /metrics, /healthz (alive) and /readyz (Kafka and PostgreSQL answer). */
  probes: Probes;
  limits: Pick<ClientLimits, "http" | "historyItemsPerRequest">;
  /** Counts the bodies refused for their size (the server's metrics). */
  onBodyRefused?: () => void;
}

/**
 * One HTTP server: tRPC under /trpc, the probes (/metrics, /healthz, /readyz), the
 * dashboard elsewhere. A tRPC request's body is read within HTTP_MAX_BODY_BYTES before
 * tRPC sees it; a batch holds at most HTTP_MAX_BATCH_SIZE calls and asks moments.history
 * for at most HISTORY_MAX_ITEMS_PER_REQUEST moments; requests and idle connections time out.
 */
export function createWebServer(deps: HttpDeps): Server {
  const { http } = deps.limits;
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBatchSize: http.maxBatchSize,
    createContext: async ({ req }) => ({
      db: deps.db,
      live: deps.live,
      caller: await authenticate(req.headers.authorization, deps.authSecret),
      historyAllowance: new HistoryAllowance(deps.limits.historyItemsPerRequest, false),
    }),
  });
  const serveTrpc = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBodyWithin(req, res, http.maxBodyBytes);
    if (body === undefined) {
      deps.onBodyRefused?.();
      return;
    }
    // tRPC's adapter takes a body already read from `req.body` instead of the stream.
    Object.assign(req, { body: body === "" ? undefined : body });
    await trpc(req, res);
  };
  const dashboard = staticFiles(deps.staticRoot);
  const server = createServer({ connectionsCheckingInterval: CHECK_TIMEOUTS_MS }, (req, res) => {
    if (handleProbe(deps.probes, req, res)) return;
    const path = (req.url ?? "/").split("?")[0];
    if (path?.startsWith("/trpc/")) {
      serveTrpc(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400).end();
        else res.destroy();
      });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { "content-type": "text/plain" }).end("Method not allowed\n");
      return;
    }
    dashboard(req, res).catch(() => res.writeHead(500).end());
  });
  server.requestTimeout = http.requestTimeoutMs;
  server.headersTimeout = Math.min(http.requestTimeoutMs, HEADERS_TIMEOUT_MS);
  server.keepAliveTimeout = http.idleTimeoutMs;
  return server;
}

/** Headers of a request must be in within this (or the request timeout if shorter). */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks requests against those timeouts (its default is 30 s). */
const CHECK_TIMEOUTS_MS = 1_000;

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
