import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  retryLink,
  splitLink,
  wsLink,
  type TRPCClient,
  type TRPCLink,
} from "@trpc/client";
import { RESUME_LOST_CODE } from "./live/resume-code.ts";
import { emoteSendRetry } from "./emote-send-retry.ts";
import { fullJitterDelayMs } from "./reconnect-backoff.ts";
// Types only: a client app never loads the server's router.
import type { AppRouter } from "./root.ts";

export interface EmoteClientOptions {
  /** The web server, e.g. http://127.0.0.1:3000 (WebSocket on the same host and port). */
  url: string;
  /** Bearer token from `npm run token`; a function is asked again at each (re)connection. */
  token?: string | null | (() => string | null | undefined);
  /** WebSocket implementation where there is no global one (Node 20: the `ws` package). */
  WebSocket?: typeof globalThis.WebSocket;
}

function tokenOf(opts: EmoteClientOptions): string | undefined {
  const t = typeof opts.token === "function" ? opts.token() : opts.token;
  return t ?? undefined;
}

/**
 * Procedures that go over the WebSocket besides subscriptions: reactions are many and
 * small, and the socket is already open and authenticated (no headers, no token check
 * per call).
 */
const OVER_WEBSOCKET = new Set(["emotes.send"]);

/**
 * The links every client of the API uses: subscriptions and emotes.send over one
 * WebSocket (keep-alive on, reconnecting with full-jitter back-off, resuming tracked subscriptions
 * from their last event id), other queries and mutations over batched HTTP. The dashboard
 * builds its React client from the same links.
 */
export function emoteLinks(opts: EmoteClientOptions): {
  links: TRPCLink<AppRouter>[];
  wsClient: ReturnType<typeof createWSClient>;
} {
  const base = opts.url.replace(/\/+$/, "");
  const wsClient = createWSClient({
    url: `${base.replace(/^http/, "ws")}/trpc`,
    connectionParams: () => {
      const token = tokenOf(opts);
      return token ? { token } : {};
    },
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
    // A draining gateway closes its sockets with 1012: its clients come back spread out.
    retryDelayMs: (attempt) => fullJitterDelayMs(attempt),
    ...(opts.WebSocket && { WebSocket: opts.WebSocket }),
  });
  const links: TRPCLink<AppRouter>[] = [
    // An emotes.send caught by a gateway's drain or a reconnect is sent again: it was not taken.
    retryLink<AppRouter>(emoteSendRetry),
    splitLink({
      condition: (op) => op.type === "subscription" || OVER_WEBSOCKET.has(op.path),
      true: wsLink<AppRouter>({ client: wsClient }),
      false: httpBatchLink<AppRouter>({
        url: `${base}/trpc`,
        // Well under the server's HTTP_MAX_BATCH_SIZE (default 50).
        maxItems: 20,
        headers: () => {
          const token = tokenOf(opts);
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    }),
  ];
  return { links, wsClient };
}

export type EmoteClient = TRPCClient<AppRouter>;

/**
 * True when a `moments.live` subscription ended because its resume position (last event
 * id) cannot be recovered: some moments were missed; show history and subscribe again
 * without `lastEventId`.
 */
export function isResumePositionLost(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("data" in error)) return false;
  const data = (error as { data?: unknown }).data;
  return typeof data === "object" && data !== null && (data as { code?: unknown }).code === RESUME_LOST_CODE;
}

// The tRPC client is a proxy in which every property is a procedure path, so its
// WebSocket is kept here rather than as a `close` property.
const sockets = new WeakMap<EmoteClient, ReturnType<typeof createWSClient>>();

/** A typed client for any TypeScript app: `client.moments.live.subscribe(...)` and the rest. */
export function createEmoteClient(opts: EmoteClientOptions): EmoteClient {
  const { links, wsClient } = emoteLinks(opts);
  const client = createTRPCClient<AppRouter>({ links });
  sockets.set(client, wsClient);
  return client;
}

/** Closes the client's WebSocket (its subscriptions end); HTTP calls need no closing. */
export async function closeEmoteClient(client: EmoteClient): Promise<void> {
  await sockets.get(client)?.close();
}

/** The error a call rejects with (`err.data.code`, `err.data.retryAfterSeconds`), for `instanceof`. */
export { TRPCClientError } from "@trpc/client";
