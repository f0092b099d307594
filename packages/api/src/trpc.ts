import type { Database } from "@emote/db";
import { TRPCError, initTRPC } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Caller } from "./auth.ts";
import type { HistoryAllowance } from "./history-allowance.ts";
import type { LiveSources } from "./live.ts";

export interface Context {
  db: Database;
  caller: Caller;
  live: LiveSources;
  /** Caps what moments.history returns per request or connection (absent: only its own limit). */
  historyAllowance?: HistoryAllowance;
}

const t = initTRPC.context<Context>().create({
  // A BAD_REQUEST names the fields at fault, so clients can show them inline.
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure: a caller whose token failed or has since expired is refused, whatever it asks. */
export const publicProcedure = t.procedure.use(({ ctx, next }) => {
  if (ctx.caller.kind === "invalid") {
    throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.caller.reason });
  }
  // A WebSocket's context lives as long as the connection: check expiry at every call.
  if (
    ctx.caller.kind === "token" &&
    ctx.caller.expiresAt !== undefined &&
    ctx.caller.expiresAt <= Date.now()
  ) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "token expired" });
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});
