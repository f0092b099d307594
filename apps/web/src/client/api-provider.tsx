import { emoteLinks } from "@emote/api/client";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { Fragment, createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { connectionStatus, type ConnectionStatus } from "./connection-status.ts";
import { trpc } from "./trpc.ts";

interface Api {
  id: number;
  queryClient: QueryClient;
  trpcClient: ReturnType<typeof trpc.createClient>;
  close(): void;
}

interface Connection {
  status: ConnectionStatus;
  /** Why the socket last failed, while it is not live. */
  error: string | null;
}

const ConnectionContext = createContext<Connection>({ status: "connecting", error: null });

/** The state of the WebSocket that carries the live subscriptions. */
export function useConnection(): Connection {
  return useContext(ConnectionContext);
}

/** Client errors (bad input, bad token, wrong role) will not change on retry. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof TRPCClientError) {
    const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
    if (status !== undefined && status >= 400 && status < 500) return false;
  }
  return failureCount < 3;
}

/** The server's reason when it refused the caller's token, else null. */
function unauthorizedReason(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const code = (error.data as { code?: string } | undefined)?.code;
  return code === "UNAUTHORIZED" ? error.message || "token refused" : null;
}

let apis = 0;

function createApi(
  token: string | null,
  onConnection: (c: Connection) => void,
  onTokenRefused: (token: string, reason: string) => void,
): Api {
  const { links, wsClient } = emoteLinks({ url: window.location.origin, token });
  let wasLive = false;
  const subscription = wsClient.connectionState.subscribe({
    next(socket) {
      const status = connectionStatus(socket, wasLive);
      if (status === "live") wasLive = true;
      onConnection({ status, error: status === "live" ? null : (socket.error?.message ?? null) });
    },
  });
  // With a token, UNAUTHORIZED means the server no longer accepts it (expired, revoked,
  // signed with another secret): every call would fail alike, so the token is dropped.
  const onError = (error: unknown) => {
    const reason = unauthorizedReason(error);
    if (token && reason) onTokenRefused(token, reason);
  };
  const queryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false, staleTime: 5_000 },
    },
  });
  return {
    id: ++apis,
    queryClient,
    trpcClient: trpc.createClient({ links }),
    close() {
      subscription.unsubscribe();
      void wsClient.close();
      queryClient.clear();
    },
  };
}

interface Props {
  token: string | null;
  /** The server answered UNAUTHORIZED to a call made with `token` (stable: a new one remakes the client). */
  onTokenRefused(token: string, reason: string): void;
  children: ReactNode;
}

/**
 * One API client per token: HTTP requests carry it as a bearer token and the WebSocket
 * sends it as a connection parameter, so signing in or out starts a fresh client (and a
 * fresh cache: what a caller may see depends on who they are).
 */
export function ApiProvider({ token, onTokenRefused, children }: Props) {
  const [api, setApi] = useState<Api | null>(null);
  const [connection, setConnection] = useState<Connection>({ status: "connecting", error: null });

  useEffect(() => {
    // Created in the effect (not during render) so that every client made is also closed.
    // On a new token the old client stays on screen until the new one replaces it.
    const created = createApi(token, setConnection, onTokenRefused);
    setApi(created);
    return () => created.close();
  }, [token, onTokenRefused]);

  if (!api) return null;
  return (
    <trpc.Provider client={api.trpcClient} queryClient={api.queryClient}>
      <QueryClientProvider client={api.queryClient}>
        <ConnectionContext.Provider value={connection}>
          {/* Hooks bind to the client they mounted with: a new client remounts them. */}
          <Fragment key={api.id}>{children}</Fragment>
        </ConnectionContext.Provider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
