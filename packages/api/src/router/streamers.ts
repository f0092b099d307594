import { streamerIdSchema } from "@emote/contracts";
import { createStreamer, listStreamerIds } from "@emote/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { canCreateStreamer } from "../auth/auth.ts";
import { publicProcedure } from "../trpc.ts";

/** Streamer ids per page of streamers.list: by default, and at most (500 ids are under 40 KB). */
export const STREAMERS_PAGE_DEFAULT = 100;
export const STREAMERS_PAGE_MAX = 500;

export const streamersListInput = z
  .object({
    /** The previous page's nextCursor: the last id it listed. */
    cursor: streamerIdSchema.nullish(),
    limit: z
      .number()
      .int(`limit must be a whole number from 1 to ${STREAMERS_PAGE_MAX}`)
      .min(1, `limit must be a whole number from 1 to ${STREAMERS_PAGE_MAX}`)
      .max(STREAMERS_PAGE_MAX, `limit must be a whole number from 1 to ${STREAMERS_PAGE_MAX}`)
      .default(STREAMERS_PAGE_DEFAULT),
  })
  .default({ limit: STREAMERS_PAGE_DEFAULT });

export const streamersRouter = {
  /** The streamers that exist, in id order, a page at a time; nextCursor is null on the last page. */
  list: publicProcedure.input(streamersListInput).query(async ({ ctx, input }) => {
    const ids = await listStreamerIds(ctx.db, { after: input.cursor ?? undefined, limit: input.limit + 1 });
    const items = ids.slice(0, input.limit);
    return { items, nextCursor: ids.length > input.limit ? (items.at(-1) ?? null) : null };
  }),

  /**
   * Makes a streamer exist, so it takes reactions and is listed: an admin creates any, a
   * streamer token only its own. Creating one that exists is no error (`created: false`).
   */
  create: publicProcedure
    .input(z.strictObject({ streamerId: streamerIdSchema }))
    .mutation(async ({ ctx, input }) => {
      const caller = ctx.caller;
      if (caller.kind !== "token" || !canCreateStreamer(caller, input.streamerId)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message:
            caller.kind === "token" && caller.role === "streamer"
              ? `a streamer token may create only its own streamer (${caller.streamerId})`
              : "creating a streamer needs an admin token or the streamer's own token",
        });
      }
      const created = await createStreamer(ctx.db, input.streamerId, caller.sub);
      return { streamerId: input.streamerId, created };
    }),
} satisfies TRPCRouterRecord;
