import { analysisSettingsSchema, streamerIdSchema } from "@emote/contracts";
import { getEffectiveSettings, saveSettings } from "@emote/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { canEditSettings } from "../auth.ts";
import { publicProcedure } from "../trpc.ts";

export const settingsUpdateInput = analysisSettingsSchema.partial().extend({ streamerId: streamerIdSchema });

export const settingsRouter = {
  /** The settings that apply to a streamer: its own, else the defaults. */
  get: publicProcedure
    .input(z.object({ streamerId: streamerIdSchema }))
    .query(({ ctx, input }) => getEffectiveSettings(ctx.db, input.streamerId)),

  /**
   * Changes some of a streamer's settings in one statement (all or nothing); workers
   * apply them from their next batch. Streamers may change their own, moderators and
   * admins anyone's.
   */
  update: publicProcedure.input(settingsUpdateInput).mutation(async ({ ctx, input }) => {
    if (!canEditSettings(ctx.caller, input.streamerId)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message:
          ctx.caller.kind === "token" && ctx.caller.role === "streamer"
            ? `a streamer may change only its own settings (${ctx.caller.streamerId})`
            : "changing settings needs a streamer, moderator or admin token",
      });
    }
    const { streamerId, ...patch } = input;
    return saveSettings(ctx.db, streamerId, patch);
  }),
} satisfies TRPCRouterRecord;
