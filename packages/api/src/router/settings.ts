import { analysisSettingsSchema, streamerIdSchema, surgeSettingsSchema } from "@emote/contracts";
import { getEffectiveSettings, saveSettings, streamerExists } from "@emote/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { canCreateStreamer, canEditSettings } from "../auth/auth.ts";
import { unknownStreamer } from "../errors/streamer-errors.ts";
import { publicProcedure } from "../trpc.ts";

/** Any of the settings; of the surge detector's knobs, any of them (the others keep their value). */
export const settingsUpdateInput = analysisSettingsSchema
  .partial()
  .extend({ streamerId: streamerIdSchema, surge: surgeSettingsSchema.partial().optional() });

export const settingsRouter = {
  /**
   * The settings that apply to a streamer: its own, else the defaults (also for a streamer
   * that does not exist yet: the settings it would start with).
   */
  get: publicProcedure
    .input(z.object({ streamerId: streamerIdSchema }))
    .query(({ ctx, input }) => getEffectiveSettings(ctx.db, input.streamerId)),

  /**
   * Changes some of a streamer's settings in one statement (all or nothing); workers
   * apply them from their next batch. Streamers may change their own, moderators and
   * admins anyone's. Each change is recorded in the audit log (who, before/after, request
   * id) in the same transaction. A streamer that does not exist is created first when the
   * caller may create it (an admin, or its own token); a moderator gets NOT_FOUND.
   */
  update: publicProcedure.input(settingsUpdateInput).mutation(async ({ ctx, input }) => {
    const caller = ctx.caller;
    if (caller.kind !== "token" || !canEditSettings(caller, input.streamerId)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message:
          caller.kind === "token" && caller.role === "streamer"
            ? `a streamer may change only its own settings (${caller.streamerId})`
            : "changing settings needs a streamer, moderator or admin token",
      });
    }
    const { streamerId, ...patch } = input;
    // Saving creates the streamer: only a caller who may create it may name a new one.
    if (!canCreateStreamer(caller, streamerId) && !(await streamerExists(ctx.db, streamerId))) {
      throw unknownStreamer(streamerId);
    }
    return saveSettings(ctx.db, streamerId, patch, {
      sub: caller.sub,
      role: caller.role,
      requestId: ctx.requestId,
    });
  }),
} satisfies TRPCRouterRecord;
