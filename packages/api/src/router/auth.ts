import type { TRPCRouterRecord } from "@trpc/server";
import type { Role } from "../auth/auth.ts";
import { publicProcedure } from "../trpc.ts";

export const authRouter = {
  /** What the current token grants (a viewer without one). */
  whoami: publicProcedure.query(({ ctx }): { role: Role; streamerId?: string } => {
    const caller = ctx.caller;
    if (caller.kind !== "token") return { role: "viewer" };
    return caller.streamerId !== undefined
      ? { role: caller.role, streamerId: caller.streamerId }
      : { role: caller.role };
  }),
} satisfies TRPCRouterRecord;
