import { streamerIdSchema, type WindowStats } from "@emote/contracts";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { subscribeLive } from "../live/live.ts";
import { liveProcedure } from "../trpc.ts";

export const statsRouter = {
  /** A streamer's per-minute emote counts: the recent minutes first, then every update. */
  live: liveProcedure.input(z.object({ streamerId: streamerIdSchema })).subscription(async function* ({
    ctx,
    input,
  }) {
    const { signal } = ctx.session;
    const observer = ctx.live.observer;
    const live = subscribeLive(
      ctx.live,
      "stats.live",
      ctx.live.stats,
      signal,
      (s: WindowStats) => s.streamerId === input.streamerId,
    );
    try {
      for (const stats of ctx.live.stats.recent(input.streamerId)) {
        observer?.delivered(1);
        yield stats;
      }
      for await (const stats of live.items) {
        observer?.delivered(1);
        yield stats;
      }
      ctx.session.throwIfExpired();
    } finally {
      await live.close();
    }
  }),
} satisfies TRPCRouterRecord;
