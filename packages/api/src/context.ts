import type { IncomingMessage } from "node:http";
import type { Database } from "@emote/db";
import { authenticate, type VerifyOptions } from "./auth/auth.ts";
import type { EmoteIngest } from "./emotes/ingest.ts";
import type { HistoryAllowance } from "./limits/history-allowance.ts";
import type { LiveSources } from "./live/live.ts";
import type { CallLimits } from "./limits/rate-limit.ts";
import type { Context } from "./trpc.ts";
import type { VerifiedTokens } from "./auth/verified-tokens.ts";

/** What a server gives every request's context, whichever transport carries it. */
export interface ContextDeps {
  db: Database;
  authSecret: string;
  verify: VerifyOptions;
  limits: CallLimits;
  /** Verified tokens remembered across requests (absent: every request verifies its token). */
  tokens?: VerifiedTokens;
  /** Where emotes.send puts viewers' emotes (absent: emotes.send answers SERVICE_UNAVAILABLE). */
  emotes?: EmoteIngest;
}

/**
 * The one context of the HTTP and the WebSocket adapters: the caller from the bearer token
 * (never throws: a bad token is refused by the procedures), the client's TCP address for
 * rate limits, the request id and the per-request (or per-connection) history allowance.
 */
export async function createTRPCContext(
  deps: ContextDeps,
  request: {
    req: IncomingMessage;
    token: string | undefined;
    requestId: string;
    live: LiveSources;
    historyAllowance: HistoryAllowance;
  },
): Promise<Context> {
  const { req, token, requestId, live, historyAllowance } = request;
  return {
    db: deps.db,
    live,
    caller: deps.tokens
      ? await deps.tokens.callerOf(token)
      : await authenticate(token, deps.authSecret, deps.verify),
    requestId,
    ...(req.socket.remoteAddress !== undefined && { clientAddress: req.socket.remoteAddress }),
    limits: deps.limits,
    historyAllowance,
    ...(deps.emotes && { emotes: deps.emotes }),
  };
}
