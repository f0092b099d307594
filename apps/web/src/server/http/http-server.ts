import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HistoryAllowance, appRouter, createTRPCContext, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import { handleProbe, type Probes } from "@emote/observability";
import type { AnyProcedure } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { readBodyWithin } from "./body-limit.ts";
import { answerEmoteOverHttp, plainEmoteInput } from "../emotes/http-emotes.ts";
import type { RunningEmoteIngest } from "../emotes/emote-ingest.ts";
import type { ClientLimits } from "../env.ts";
import { contextDepsOf, type Gateway } from "../gateway.ts";
import { requestIdOf, retryAfter } from "./request-errors.ts";
import { setSecurityHeaders } from "./security-headers.ts";
import { staticFiles } from "./static-files.ts";

export interface HttpDeps {
  db: Database;
  authSecret: string;
  live: LiveSources;
  staticRoot: string;
  /** Served at /metrics, /healthz (alive) and /readyz (Kafka and PostgreSQL answer). */
  probes: Probes;
  /** Host allowlist, rate limits, token lifetime, error logging. */
  gateway: Gateway;
  /** emotes.send's ingest (absent: the server takes no emotes). */
  emotes?: RunningEmoteIngest | undefined;
  limits: Pick<ClientLimits, "http" | "historyItemsPerRequest">;
  /** Counts the bodies refused for their size (the server's metrics). */
  onBodyRefused?: () => void;
  /** "direct" (default): a plain emotes.send answered by http-emotes.ts; "stock": by tRPC's adapter. */
  emotesPath?: "direct" | "stock";
  /** True once the server drains: answers then close their connection (the next request goes elsewhere). */
  draining?: () => boolean;
}

/** Paths of the subscription procedures: over HTTP (SSE) they would bypass the WebSocket's checks. */
const SUBSCRIPTIONS = new Set(
  // At run time tRPC keeps every procedure here under its full dotted path (typed as the tree).
  Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
    .filter(([, procedure]) => procedure._def.type === "subscription")
    .map(([path]) => path),
);

/** The procedure names a /trpc/ path calls (several in a batch); undefined if it is malformed. */
function procedureNames(path: string): string[] | undefined {
  try {
    return path.slice("/trpc/".length).split(",").map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/**
 * One HTTP server: tRPC under /trpc, the probes (/metrics, /healthz, /readyz), the
 * dashboard elsewhere. Every response carries the security headers; a Host off the
 * allowlist gets 421. A tRPC request's body is read within HTTP_MAX_BODY_BYTES before
 * tRPC parses it or checks the token; a batch holds at most HTTP_MAX_BATCH_SIZE calls and
 * asks moments.history for at most HISTORY_MAX_ITEMS_PER_REQUEST moments; requests and
 * idle connections time out.
 */
export function createHttpServer(deps: HttpDeps): Server {
  const { http } = deps.limits;
  const contextDeps = contextDepsOf(deps);
  const contextOf = (req: IncomingMessage) =>
    createTRPCContext(contextDeps, {
      req,
      token: req.headers.authorization,
      requestId: requestIdOf(req),
      live: deps.live,
      historyAllowance: new HistoryAllowance(deps.limits.historyItemsPerRequest, false),
    });
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBatchSize: http.maxBatchSize,
    createContext: ({ req }) => contextOf(req),
    onError: deps.gateway.onError,
    responseMeta({ errors }) {
      const seconds = retryAfter(errors);
      return seconds === undefined ? {} : { headers: { "retry-after": String(seconds) } };
    },
  });
  const serveTrpc = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBodyWithin(req, res, http.maxBodyBytes);
    if (body === undefined) {
      deps.onBodyRefused?.();
      return;
    }
    const emote = deps.emotesPath === "stock" ? undefined : plainEmoteInput(req, body);
    if (emote) {
      await answerEmoteOverHttp(res, req, await contextOf(req), emote.input, deps.gateway.onError);
      return;
    }
    // tRPC's adapter takes a body already read from `req.body` instead of the stream.
    Object.assign(req, { body: body === "" ? undefined : body });
    await trpc(req, res);
  };
  const dashboard = staticFiles(deps.staticRoot);
  const server = createServer({ connectionsCheckingInterval: CHECK_TIMEOUTS_MS }, (req, res) => {
    if (!deps.gateway.hostAllowed(req.headers.host)) {
      setSecurityHeaders(res, undefined);
      res.writeHead(421, { "content-type": "text/plain" }).end("This server does not answer to that Host\n");
      return;
    }
    setSecurityHeaders(res, req.headers.host);
    res.setHeader("x-request-id", requestIdOf(req));
    if (deps.draining?.()) res.setHeader("connection", "close");
    if (handleProbe(deps.probes, req, res)) return;
    const path = (req.url ?? "/").split("?")[0];
    if (path?.startsWith("/trpc/")) {
      const names = procedureNames(path);
      if (!names) {
        res.writeHead(400, { "content-type": "text/plain" }).end("Bad request: malformed URL\n");
        return;
      }
      if (names.some((name) => SUBSCRIPTIONS.has(name))) {
        res.writeHead(405, { "content-type": "application/json", allow: "" }).end(
          JSON.stringify({
            error: {
              message: "subscriptions are served over the WebSocket at /trpc only",
              code: "METHOD_NOT_SUPPORTED",
            },
          }),
        );
        return;
      }
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

/** Binds `server` to host:port; rejects if the port cannot be had (in use, not permitted). */
export function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
