import {
  emoteSchema,
  trendingBoardSchema,
  type PlatformIntensity,
  type TrendingBoard,
} from "@emote/contracts";
import { emoteSharePerStreamer, loadTrendingHistory, streamersByHighlightsPerHour } from "@emote/db";
import { TRPCError, tracked, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { Caller } from "../auth/auth.ts";
import { subscribeLive } from "../live/live.ts";
import { liveProcedure, publicProcedure } from "../trpc.ts";
import { isoInstant } from "./input.ts";

/** Longest range trending.history answers (its boards are thinned to at most `limit`). */
export const TRENDING_HISTORY_MAX_MS = 24 * 3_600_000;
/** Longest range of the admin analytics. */
export const ANALYTICS_MAX_MS = 31 * 24 * 3_600_000;

/** A range [from, to) no longer than `maxMs`, with messages naming the field at fault. */
function rangeInput(maxMs: number, what: string) {
  return z
    .object({ from: isoInstant(), to: isoInstant() })
    .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: "must be after from", path: ["to"] })
    .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= maxMs, {
      message: `the range from–to must be at most ${what}`,
      path: ["to"],
    });
}

export const trendingHistoryInput = rangeInput(TRENDING_HISTORY_MAX_MS, "24 hours").and(
  z.object({ limit: z.number().int().min(1).max(500).default(120) }),
);

const analyticsInput = rangeInput(ANALYTICS_MAX_MS, "31 days").and(
  z.object({ limit: z.number().int().min(1).max(200).default(50) }),
);

function assertAdmin(caller: Caller): void {
  if (caller.kind !== "token") {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "cross-streamer analytics need an admin token" });
  }
  if (caller.role !== "admin") {
    throw new TRPCError({ code: "FORBIDDEN", message: "cross-streamer analytics are for admins only" });
  }
}

/** A board's seq as a tracked event id: decimal digits only. */
const lastEventIdInput = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "must be the id of a trending board (a positive whole number)");

export const trendingRouter = {
  /**
   * The platform view live: the newest board at once (unless the client's lastEventId is
   * that board), then each new one, as tracked events whose id is the board's seq. Each
   * board replaces the last, so a client that reconnects misses nothing by skipping
   * boards it did not see: it gets the newest.
   */
  live: liveProcedure
    .input(z.object({ lastEventId: lastEventIdInput.nullish() }).optional())
    .subscription(async function* ({ ctx, input }) {
      const feed = ctx.live.trending;
      if (!feed) {
        throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "this server has no trending feed" });
      }
      const { signal } = ctx.session;
      const observer = ctx.live.observer;
      const live = subscribeLive(ctx.live, "trending.live", feed, signal, () => true);
      try {
        let sent = input?.lastEventId ? Number(input.lastEventId) : 0;
        const latest = feed.latest();
        if (latest && latest.seq !== sent) {
          observer?.delivered(1);
          yield tracked(String(latest.seq), latest);
          sent = latest.seq;
        }
        for await (const board of live.items) {
          if (board.seq === sent) continue;
          observer?.delivered(1);
          yield tracked(String(board.seq), board);
          sent = board.seq;
        }
        ctx.session.throwIfExpired();
      } finally {
        await live.close();
      }
    }),

  /**
   * Boards and 10 s platform intensity in [from, to] (at most 24 h): boards oldest first,
   * evenly thinned to at most `limit`.
   */
  history: publicProcedure.input(trendingHistoryInput).query(async ({ ctx, input }) => {
    const history = await loadTrendingHistory(ctx.db, {
      from: new Date(input.from),
      to: new Date(input.to),
      maxBoards: input.limit,
    });
    const boards: TrendingBoard[] = [];
    for (const b of history.boards) {
      const parsed = trendingBoardSchema.safeParse(b);
      if (parsed.success) boards.push(parsed.data);
    }
    return {
      boards,
      intensity: history.intensity.map((i): PlatformIntensity => ({
        bucketStart: i.bucketStart.toISOString(),
        emotes: Math.max(0, i.emotes),
        ...(i.viewers !== null && { viewers: i.viewers }),
      })),
    };
  }),

  /** Admins: per streamer, each emote's share of what its moments counted in the range. */
  emoteShare: publicProcedure
    .input(analyticsInput.and(z.object({ emote: emoteSchema.optional() })))
    .query(async ({ ctx, input }) => {
      assertAdmin(ctx.caller);
      return emoteSharePerStreamer(ctx.db, {
        from: new Date(input.from),
        to: new Date(input.to),
        limit: input.limit,
        ...(input.emote !== undefined && { emote: input.emote }),
      });
    }),

  /** Admins: streamers by highlights (moments) per hour in the range, most first. */
  highlightsPerHour: publicProcedure.input(analyticsInput).query(async ({ ctx, input }) => {
    assertAdmin(ctx.caller);
    return streamersByHighlightsPerHour(ctx.db, {
      from: new Date(input.from),
      to: new Date(input.to),
      limit: input.limit,
    });
  }),
} satisfies TRPCRouterRecord;
