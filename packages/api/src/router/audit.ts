import { streamerIdSchema } from "@emote/contracts";
import { listSettingsChanges } from "@emote/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { Caller } from "../auth/auth.ts";
import { publicProcedure } from "../trpc.ts";

/** Opaque to clients: the id of the previous page's last change. */
const cursorSchema = z.tuple([z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]);

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify([id])).toString("base64url");
}

function decodeCursor(cursor: string): number {
  try {
    const [id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return id;
  } catch {
    throw new TRPCError({ code: "BAD_REQUEST", message: "cursor: not a cursor from audit.list" });
  }
}

export const auditListInput = z.object({
  streamerId: streamerIdSchema.optional(),
  cursor: z.string().max(512).nullish(),
  limit: z.number().int().min(1).max(100).default(20),
});

/**
 * Whose changes this caller may read: anyone's for moderators and admins (`undefined`:
 * no filter beyond the one asked for), only its own streamer's for a streamer.
 */
function auditScope(caller: Caller, asked: string | undefined): string | undefined {
  if (caller.kind !== "token") {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "reading the audit log needs a token" });
  }
  if (caller.role === "admin" || caller.role === "moderator") return asked;
  if (caller.role === "streamer" && caller.streamerId !== undefined) {
    if (asked !== undefined && asked !== caller.streamerId) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `a streamer may read only its own settings changes (${caller.streamerId})`,
      });
    }
    return caller.streamerId;
  }
  throw new TRPCError({
    code: "FORBIDDEN",
    message: "reading the audit log needs a streamer, moderator or admin token",
  });
}

export const auditRouter = {
  /**
   * Who changed which streamer's settings, newest first, a page at a time (keyset
   * pagination). Moderators and admins read every streamer's, streamers their own.
   */
  list: publicProcedure.input(auditListInput).query(async ({ ctx, input }) => {
    const streamerId = auditScope(ctx.caller, input.streamerId);
    const rows = await listSettingsChanges(ctx.db, {
      ...(streamerId !== undefined && { streamerId }),
      ...(input.cursor && { beforeId: decodeCursor(input.cursor) }),
      limit: input.limit,
    });
    const items = rows.slice(0, input.limit).map(({ id, ...change }) => ({ id: String(id), ...change }));
    const last = rows[input.limit - 1];
    return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last.id) : null };
  }),
} satisfies TRPCRouterRecord;
