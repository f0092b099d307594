import type { Database } from "@emote/db";
import { TRPCError, initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Caller } from "./auth/auth.ts";
import type { EmoteIngest } from "./emotes/ingest.ts";
import { describeZodError } from "./errors/errors.ts";
import type { HistoryAllowance } from "./limits/history-allowance.ts";
import type { LiveSources } from "./live/live.ts";
import { RateLimitedError, limitKey, type CallLimits } from "./limits/rate-limit.ts";

export interface Context {
  db: Database;
  caller: Caller;
  live: LiveSources;
  /**
   * Names this request in the logs and in an INTERNAL_SERVER_ERROR's answer: one per HTTP
   * request (a batch shares it), one per WebSocket connection.
   */
  requestId: string;
  /** The client's address, what rate limits count when there is no token. */
  clientAddress?: string;
  /** Per-caller limits the server enforces (none in tests that call procedures directly). */
  limits?: CallLimits;
  /** Caps what moments.history returns per request or connection (absent: only its own limit). */
  historyAllowance?: HistoryAllowance;
  /** Where emotes.send puts viewers' emotes (absent: the server takes none). */
  emotes?: EmoteIngest;
}

const t = initTRPC.context<Context>().create({
  // Never a stack in an answer, whatever NODE_ENV says.
  isDev: false,
  // Subscriptions are served over the WebSocket only, where Origin, Host and connection
  // limits apply; over HTTP (SSE) they answer METHOD_NOT_SUPPORTED.
  sse: { enabled: false },
  errorFormatter({ shape, error, ctx }) {
    const requestId = ctx?.requestId ?? null;
    const zod = error.cause instanceof ZodError ? error.cause : undefined;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      code: shape.code,
      // An internal error's own message may hold SQL and its parameters: the server logs
      // it under the request id, the client gets only the id.
      message: internal
        ? `internal server error (request id ${requestId ?? "unknown"})`
        : zod
          ? describeZodError(zod)
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        ...(shape.data.path !== undefined && { path: shape.data.path }),
        requestId,
        // A BAD_REQUEST names the fields at fault, so clients can show them inline.
        zodError: zod ? z.flattenError(zod) : null,
        retryAfterSeconds: error.cause instanceof RateLimitedError ? error.cause.retryAfterSeconds : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A caller whose token failed or has since expired is refused, whatever it asks. */
export function assertCallerValid(caller: Caller): asserts caller is Exclude<Caller, { kind: "invalid" }> {
  if (caller.kind === "invalid") {
    throw new TRPCError({ code: "UNAUTHORIZED", message: caller.reason });
  }
  // A WebSocket's context lives as long as the connection: check expiry at every call.
  if (caller.kind === "token" && caller.expiresAt <= Date.now()) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "token expired" });
  }
}

/**
 * Without middleware: emotes.send checks its caller itself (assertCallerValid) and has a
 * per-viewer limit of its own instead of the mutation limit. Each tRPC middleware copies
 * the call's options and context, a large share of a reaction's cost.
 */
export const bareProcedure = t.procedure;

/**
 * Every other procedure: the caller checked (assertCallerValid); mutations count against
 * the caller's rate limit.
 */
export const publicProcedure = t.procedure.use(async ({ ctx, type, next }) => {
  assertCallerValid(ctx.caller);
  const mutations = ctx.limits?.mutations;
  if (type === "mutation" && mutations) {
    try {
      await mutations.take(limitKey(ctx.caller, ctx.clientAddress));
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      throw new TRPCError({
        code: "TOO_MANY_REQUESTS",
        message: `too many changes from this caller: retry in ${err.retryAfterSeconds} s`,
        cause: err,
      });
    }
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

/** A subscription's lifetime: the client's signal, cut short when the caller's token expires. */
export interface LiveSession {
  signal: AbortSignal;
  /** Throws UNAUTHORIZED if the session ended because the token expired. */
  throwIfExpired(): void;
}

function liveSession(caller: Caller, signal: AbortSignal | undefined): LiveSession {
  const expiry = new AbortController();
  const stop = () => clearTimeout(timer);
  const timer =
    caller.kind === "token"
      ? setTimeout(() => {
          signal?.removeEventListener("abort", stop);
          expiry.abort();
        }, caller.expiresAt - Date.now()).unref()
      : undefined;
  signal?.addEventListener("abort", stop, { once: true });
  return {
    signal: signal ? AbortSignal.any([signal, expiry.signal]) : expiry.signal,
    throwIfExpired() {
      if (expiry.signal.aborted) throw new TRPCError({ code: "UNAUTHORIZED", message: "token expired" });
    },
  };
}

/**
 * Subscriptions: they use `ctx.session.signal` instead of tRPC's, so a subscription ends
 * with UNAUTHORIZED when its token expires (a server-side timer), not only at the next call.
 */
export const liveProcedure = publicProcedure.use(({ ctx, signal, next }) =>
  next({ ctx: { session: liveSession(ctx.caller, signal) } }),
);
