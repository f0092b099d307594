import { listStreamerIds } from "@emote/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc.ts";

export const streamersRouter = {
  list: publicProcedure.query(({ ctx }) => listStreamerIds(ctx.db)),
} satisfies TRPCRouterRecord;
