import type { IncomingMessage } from "node:http";
import type { Database } from "@emote/db";
import { authenticate, type VerifyOptions } from "./auth.ts";
import type { HistoryAllowance } from "./history-allowance.ts";
import type { LiveSources } from "./live.ts";
import type { CallLimits } from "./rate-limit.ts";
import type { Context } from "./trpc.ts";

/** What a server gives every request's context, whichever transport carries it. */
export interface ContextDeps {
  db: Database;
  authSecret: string;
  verify: VerifyOptions;
  limits: CallLimits;
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
    caller: await authenticate(token, deps.authSecret, deps.verify),
    requestId,
    ...(req.socket.remoteAddress !== undefined && { clientAddress: req.socket.remoteAddress }),
    limits: deps.limits,
    historyAllowance,
  };
}
