import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { HistoryAllowance, appRouter, createTRPCContext, type Context, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import type { Logger } from "@emote/observability";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer, type WebSocket } from "ws";
import { guardConnection, type LimitCounters } from "../limits/connection-guard.ts";
import type { SocketBudget } from "./socket-budget.ts";
import { ConnectionsPerAddress } from "../limits/connection-limits.ts";
import type { RunningEmoteIngest } from "../emotes/emote-ingest.ts";
import type { ClientLimits } from "../env.ts";
import { contextDepsOf, type Gateway } from "../gateway.ts";
import { MomentFanout, type FanoutCounters } from "../live/moment-fanout.ts";
import { requestIdOf } from "../http/request-errors.ts";
import { refuseUpgrade } from "./upgrade-guard.ts";
import { WsEmotes } from "../emotes/ws-emotes.ts";
import { mayWriteRawFrames } from "./ws-internals.ts";
import type { GatewayDrain } from "../drain/gateway-drain.ts";

/** Client messages are small tRPC requests; ws's default limit is 100 MiB. */
const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * tRPC subscriptions over WebSocket on the HTTP server's port (path /trpc): Host, Origin
 * and connection rate checked (upgrade-guard.ts), at most WS_MAX_CONNECTIONS_PER_ADDRESS
 * per client address, token from the connection parameters, every socket under its limits
 * (connection-guard.ts: buffer budget, pong keep-alive, subscription cap, idle timeout),
 * no compression (CPU per message matters more).
 */
export function attachWebSockets(
  server: Server,
  deps: {
    db: Database;
    authSecret: string;
    live: LiveSources;
    allowedOrigins: readonly string[];
    gateway: Gateway;
    log: Logger;
    /** emotes.send's ingest (absent: the server takes no emotes). */
    emotes?: RunningEmoteIngest | undefined;
    limits: Pick<ClientLimits, "ws" | "historyItemsPerRequest">;
    counters: LimitCounters;
    /**
     * "direct" (default): moments.live frames are serialised once and sent with bounded
     * per-socket buffers (moment-fanout.ts); "stock": tRPC's adapter alone (for comparison).
     */
    fanout?: "direct" | "stock";
    /**
     * "direct" (default): emotes.send answered without tRPC's per-call machinery
     * (ws-emotes.ts); "stock": through tRPC's adapter (for comparison).
     */
    emotesPath?: "direct" | "stock";
    /** Closes every socket with 1012 on SIGTERM, once its emotes.send calls are answered. */
    drain: GatewayDrain;
  },
): {
  wss: WebSocketServer;
  fanoutStats(): FanoutCounters | undefined;
} {
  const contextDeps = contextDepsOf(deps);
  const perAddress = new ConnectionsPerAddress(deps.limits.ws.maxConnectionsPerAddress);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const release = perAddress.acquire(req.socket.remoteAddress ?? "");
    if (!release) {
      deps.counters.refused.connectionsPerAddress++;
      socket.end(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" +
          `too many WebSocket connections from this address: at most ${perAddress.max}\n`,
      );
      return;
    }
    // The TCP socket, not the WebSocket: also given back when the handshake fails.
    socket.once("close", release);
    wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req));
  };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/trpc" && path !== "/trpc/") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    socket.on("error", () => socket.destroy());
    if (deps.drain.phase !== "serving") {
      // A balancer retries an upgrade refused with 503 on another gateway.
      socket.end(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" +
          "this server is shutting down: connect again\n",
      );
      return;
    }
    refuseUpgrade(req, deps.gateway, deps.allowedOrigins).then(
      (refused) => {
        if (refused !== undefined) socket.end(refused);
        else if (!socket.destroyed) upgrade(req, socket, head);
      },
      () => socket.destroy(),
    );
  });
  // Registered before tRPC's handler: the limits wrap the socket's send before tRPC's
  // first frame, and the fan-out's 'message' listener runs first.
  const raw = mayWriteRawFrames(deps.log);
  const fanout = deps.fanout === "stock" ? undefined : new MomentFanout(deps.live.moments, raw);
  /**
   * What the server keeps of each socket: what its live procedures see of it, its budget,
   * its 'message' listeners before tRPC's, and its context once tRPC has made it.
   */
  const sockets = new WeakMap<
    WebSocket,
    {
      live: Pick<LiveSources, "connection" | "directMoments">;
      budget: SocketBudget;
      beforeTrpc: unknown[];
      ctx?: Context;
    }
  >();
  wss.on("connection", (client: WebSocket) => {
    deps.drain.opened(client);
    const { budget, live } = guardConnection(client, deps.limits.ws, deps.counters);
    sockets.set(client, {
      live: { connection: live, ...(fanout && { directMoments: fanout.watch(client, budget) }) },
      budget,
      beforeTrpc: client.listeners("message"),
    });
  });
  wss.on("close", () => fanout?.close());
  applyWSSHandler({
    wss,
    router: appRouter,
    // Off: tRPC's keep-alive counts any client message as alive (connection-guard.ts pings).
    keepAlive: { enabled: false },
    onError: deps.gateway.onError,
    createContext: async ({ info, req, res }) => {
      const token = info.connectionParams?.token;
      const ctx = await createTRPCContext(contextDeps, {
        req,
        token: typeof token === "string" ? token : undefined,
        requestId: requestIdOf(req),
        live: { ...deps.live, ...sockets.get(res)?.live },
        historyAllowance: new HistoryAllowance(deps.limits.historyItemsPerRequest, true),
      });
      const socket = sockets.get(res);
      if (socket) socket.ctx = ctx;
      return ctx;
    },
  });
  if (deps.emotesPath !== "stock") {
    const emotes = new WsEmotes(deps.gateway.onError, deps.drain, raw);
    let warned = false;
    wss.on("connection", (client: WebSocket, req: IncomingMessage) => {
      const socket = sockets.get(client);
      if (socket && emotes.intercept(client, req, socket.beforeTrpc, () => socket.ctx, socket.budget)) return;
      if (warned) return;
      warned = true;
      deps.log.warn(
        "tRPC's WebSocket adapter did not add exactly one 'message' listener: emotes.send goes " +
          "through tRPC's adapter instead of its fast path (the same answers, more CPU per emote)",
      );
    });
  }
  return {
    wss,
    fanoutStats: () => fanout?.stats(),
  };
}
