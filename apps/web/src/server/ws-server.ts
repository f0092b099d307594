import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { appRouter, authenticate, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Gateway } from "./gateway.ts";
import { MomentFanout, type FanoutCounters } from "./moment-fanout.ts";
import { requestIdOf } from "./request-errors.ts";
import { refuseUpgrade } from "./upgrade-guard.ts";

/** Client messages are small tRPC requests; ws's default limit is 100 MiB. */
const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * tRPC subscriptions over WebSocket on the HTTP server's port (path /trpc): Host, Origin
 * and connection rate checked (upgrade-guard.ts), token from the connection parameters, keep-alive pings
 * so proxies keep idle sockets, no compression (CPU per message matters more).
 */
export function attachWebSockets(
  server: Server,
  deps: {
    db: Database;
    authSecret: string;
    live: LiveSources;
    allowedOrigins: readonly string[];
    gateway: Gateway;
    /**
     * "direct" (default): moments.live frames are serialised once and sent with bounded
     * per-socket buffers (moment-fanout.ts); "stock": tRPC's adapter alone (for comparison).
     */
    fanout?: "direct" | "stock";
  },
): {
  wss: WebSocketServer;
  broadcastReconnectNotification(): void;
  fanoutStats(): FanoutCounters | undefined;
} {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/trpc" && path !== "/trpc/") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    socket.on("error", () => socket.destroy());
    refuseUpgrade(req, deps.gateway, deps.allowedOrigins).then(
      (refused) => {
        if (refused !== undefined) socket.end(refused);
        else if (!socket.destroyed) {
          wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req));
        }
      },
      () => socket.destroy(),
    );
  });
  // Registered before tRPC's handler, so the fan-out's 'message' listener runs first.
  const fanout = deps.fanout === "stock" ? undefined : new MomentFanout(deps.live.moments);
  const direct = new WeakMap<WebSocket, ReturnType<MomentFanout["watch"]>>();
  if (fanout) wss.on("connection", (client: WebSocket) => direct.set(client, fanout.watch(client)));
  wss.on("close", () => fanout?.close());
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    onError: deps.gateway.onError,
    createContext: async ({ info, req, res }) => {
      const token = info.connectionParams?.token;
      const directMoments = direct.get(res);
      return {
        db: deps.db,
        live: directMoments ? { ...deps.live, directMoments } : deps.live,
        caller: await authenticate(
          typeof token === "string" ? token : undefined,
          deps.authSecret,
          deps.gateway.verify,
        ),
        requestId: requestIdOf(req),
        ...(req.socket.remoteAddress !== undefined && { clientAddress: req.socket.remoteAddress }),
        limits: deps.gateway.rateLimits.calls,
      };
    },
  });
  return {
    wss,
    broadcastReconnectNotification: handler.broadcastReconnectNotification,
    fanoutStats: () => fanout?.stats(),
  };
}
