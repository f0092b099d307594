import { streamerIdSchema, type WindowStats } from "@emote/contracts";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { listen } from "../live.ts";
import { publicProcedure } from "../trpc.ts";

export const statsRouter = {
  /** A streamer's per-minute emote counts: the recent minutes first, then every update. */
  live: publicProcedure.input(z.object({ streamerId: streamerIdSchema })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const live = listen(ctx.live.stats, signal, (s: WindowStats) => s.streamerId === input.streamerId);
    try {
      yield* ctx.live.stats.recent(input.streamerId);
      yield* live;
    } finally {
      await live.return();
    }
  }),
} satisfies TRPCRouterRecord;
