import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { appRouter, authenticate, type LiveSources } from "@emote/api";
import type { Database } from "@emote/db";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";

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
  deps: { db: Database; authSecret: string; live: LiveSources; allowedOrigins: readonly string[] },
): { wss: WebSocketServer; broadcastReconnectNotification(): void } {
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
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    createContext: async ({ info }) => {
      const token = info.connectionParams?.token;
      return {
        db: deps.db,
        live: deps.live,
        caller: await authenticate(typeof token === "string" ? token : undefined, deps.authSecret),
      };
    },
  });
  return { wss, broadcastReconnectNotification: handler.broadcastReconnectNotification };
}
