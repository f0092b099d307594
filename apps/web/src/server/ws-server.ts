import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { appRouter, authenticate, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer, type WebSocket } from "ws";
import { MomentFanout, type FanoutCounters } from "./moment-fanout.ts";

/** Client messages are small tRPC requests; ws's default limit is 100 MiB. */
const MAX_PAYLOAD_BYTES = 16 * 1024;

function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  // Non-browser clients send no Origin; browsers always do.
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * tRPC subscriptions over WebSocket on the HTTP server's port (path /trpc): Origin
 * checked against the allowlist, token from the connection parameters, keep-alive pings
 * so proxies keep idle sockets, no compression (CPU per message matters more).
 */
export function attachWebSockets(
  server: Server,
  deps: {
    db: Database;
    authSecret: string;
    live: LiveSources;
    allowedOrigins: readonly string[];
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
    if (!originAllowed(req, deps.allowedOrigins)) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req));
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
    createContext: async ({ info, res }) => {
      const token = info.connectionParams?.token;
      const directMoments = direct.get(res);
      return {
        db: deps.db,
        live: directMoments ? { ...deps.live, directMoments } : deps.live,
        caller: await authenticate(typeof token === "string" ? token : undefined, deps.authSecret),
        // tRPC's adapter makes one context per connection and has no per-call hook, so the
        // calls of one connection share its id.
        requestId: randomUUID(),
      };
    },
  });
  return {
    wss,
    broadcastReconnectNotification: handler.broadcastReconnectNotification,
    fanoutStats: () => fanout?.stats(),
  };
}
