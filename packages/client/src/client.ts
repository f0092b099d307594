import { createTRPCClient, type TRPCClient } from "@trpc/client";
import { emoteLinks, isResumePositionLost as isResumeLost } from "@emote/api/client";
import type { AppRouter } from "./public-types.ts";

/**
 * A WebSocket class: the platform's (browsers, Node 22 and later) or the `ws` package's in
 * Node 20. Only the standard surface is used (open, message, send, close).
 */
export type WebSocketImplementation = new (url: string, protocols?: string | string[]) => object;

export interface EmotePulseClientOptions {
  /** The Emote Pulse web server, e.g. http://127.0.0.1:3000 (its WebSocket is on the same host and port). */
  url: string;
  /** A bearer token (`npm run token`); a function is asked again at each (re)connection. None: a viewer. */
  token?: string | null | (() => string | null | undefined);
  /** Where there is no global WebSocket (Node 20): `import WebSocket from "ws"` and pass it here. */
  WebSocket?: WebSocketImplementation;
}

/** The typed client: `client.moments.live.subscribe(...)`, `client.emotes.send.mutate(...)` and the rest. */
export type EmotePulseClient = TRPCClient<AppRouter>;

// The tRPC client is a proxy in which every property is a procedure path, so its
// WebSocket is kept here rather than as a `close` property.
const sockets = new WeakMap<EmotePulseClient, { close(): Promise<void> }>();

/**
 * A client of an Emote Pulse server: subscriptions and emotes.send over one WebSocket
 * (keep-alive, reconnecting with back-off, tracked subscriptions such as moments.live
 * resumed from their last event id), other calls over batched HTTP.
 */
export function createEmotePulseClient(opts: EmotePulseClientOptions): EmotePulseClient {
  const { links, wsClient } = emoteLinks({
    url: opts.url,
    ...(opts.token !== undefined && { token: opts.token }),
    // tRPC's type is the DOM's WebSocket class; it uses only the part `ws` has too.
    ...(opts.WebSocket && { WebSocket: opts.WebSocket as unknown as typeof globalThis.WebSocket }),
  });
  const client = createTRPCClient<AppRouter>({ links });
  sockets.set(client, wsClient);
  return client;
}

/** Closes the client's WebSocket (its subscriptions end); HTTP calls need no closing. */
export async function closeEmotePulseClient(client: EmotePulseClient): Promise<void> {
  await sockets.get(client)?.close();
}

/**
 * True when a `moments.live` subscription ended because its resume position (last event
 * id) cannot be recovered: some moments were missed; read moments.history and subscribe
 * again without `lastEventId`.
 */
export function isResumePositionLost(error: unknown): boolean {
  return isResumeLost(error);
}

/** The error a call rejects with (`err.data.code`, `err.data.retryAfterSeconds`), for `instanceof`. */
export { TRPCClientError } from "@trpc/client";
