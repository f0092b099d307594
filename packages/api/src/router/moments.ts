import { detectorKindSchema, streamerIdSchema, type Moment } from "@emote/contracts";
import { listMoments, type Database, type StoredMoment } from "@emote/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { isoInstant, queryText } from "./input.ts";
import { publicProcedure } from "../trpc.ts";
import { momentsLive } from "./moments-live.ts";

/**
 * Opaque to clients: where the previous page ended (window start and moment-log position
 * of its last moment). Cursors of the earlier (window start, id) order do not parse, so
 * they are refused rather than paging in the wrong order.
 */
const cursorSchema = z.tuple([isoInstant(), z.number().int().positive()]);

function encodeCursor(m: StoredMoment): string {
  return Buffer.from(JSON.stringify([m.timestamp, m.position])).toString("base64url");
}

function decodeCursor(cursor: string): { windowStart: Date; position: number } {
  try {
    const [windowStart, position] = cursorSchema.parse(
      JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
    );
    return { windowStart: new Date(windowStart), position };
  } catch {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message:
        "cursor: not a cursor from moments.history (or from an older version); start again without one",
    });
  }
}

export const momentsHistoryInput = z
  .object({
    streamerId: streamerIdSchema.optional(),
    emote: queryText(64).optional(),
    /** Only the moments of one detector (all kinds when absent). */
    kind: detectorKindSchema.optional(),
    from: isoInstant().optional(),
    to: isoInstant().optional(),
    cursor: z.string().max(512).nullish(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: "from must be before to",
    path: ["from"],
  });

export const momentsRouter = {
  live: momentsLive,
  /**
   * Moment history, newest first (window start, then moment-log position), a page at a
   * time (keyset pagination). The first item of the first page is the last one stored of
   * the newest window.
   */
  history: publicProcedure.input(momentsHistoryInput).query(async ({ ctx, input }) => {
    const allowance = ctx.historyAllowance;
    if (allowance && !allowance.take(input.limit)) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `limit: this request asks moments.history for more than ${allowance.max} moments in all; ask for fewer or split the batch`,
      });
    }
    try {
      return await historyPage(ctx.db, input);
    } finally {
      allowance?.done(input.limit);
    }
  }),
} satisfies TRPCRouterRecord;

async function historyPage(db: Database, input: z.infer<typeof momentsHistoryInput>) {
  const rows = await listMoments(db, {
    ...(input.streamerId !== undefined && { streamerId: input.streamerId }),
    ...(input.emote !== undefined && { emote: input.emote }),
    ...(input.kind !== undefined && { kind: input.kind }),
    ...(input.from !== undefined && { from: new Date(input.from) }),
    ...(input.to !== undefined && { to: new Date(input.to) }),
    ...(input.cursor && { before: decodeCursor(input.cursor) }),
    limit: input.limit,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  // Clients get the event contract's shape, whose position stays optional.
  const items: Moment[] = page;
  return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null };
}
