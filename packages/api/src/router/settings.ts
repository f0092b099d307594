import { streamerIdSchema } from "@emote/contracts";
import { getEffectiveSettings } from "@emote/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { publicProcedure } from "../trpc.ts";

export const settingsRouter = {
  /** The settings that apply to a streamer: its own, else the defaults. */
  get: publicProcedure
    .input(z.object({ streamerId: streamerIdSchema }))
    .query(({ ctx, input }) => getEffectiveSettings(ctx.db, input.streamerId)),
} satisfies TRPCRouterRecord;
