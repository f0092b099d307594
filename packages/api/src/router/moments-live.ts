import { streamerIdSchema, type Moment } from "@emote/contracts";
import { listMomentsAfter } from "@emote/db";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { MAX_QUEUED, subscribeLive } from "../live.ts";
import { queryText } from "../input.ts";
import { liveProcedure } from "../trpc.ts";

/** Moments read from PostgreSQL at a time; the socket's budget paces each one out. */
const BACKFILL_PAGE = 200;
/**
 * Backfilled ids remembered to skip their live copies. Only recent ones can come again
 * live (the live queue holds at most MAX_QUEUED, all stored after the subscription
 * began), so the set stays bounded however long the backfill is.
 */
const BACKFILLED_IDS = 2 * MAX_QUEUED;

/**
 * Live moments, each a tracked event whose id is the moment's id. A client that
 * reconnects with its last event id first gets what was stored after it, then the live
 * stream, without repeats. Listening starts before the backfill, so nothing falls between.
 * Over WebSocket the backfill waits for room on the socket before each moment, so it
 * never queues more than the socket's budget, however far back the client resumes.
 */
export const momentsLive = liveProcedure
  .input(z.object({ streamerId: streamerIdSchema.optional(), lastEventId: queryText(64).nullish() }))
  .subscription(async function* ({ ctx, input }) {
    const { signal } = ctx.session;
    const observer = ctx.live.observer;
    // Counted until the subscription ends, on either path (tRPC's or the direct fan-out).
    const live = subscribeLive(
      ctx.live,
      "moments.live",
      ctx.live.moments,
      signal,
      (m: Moment) => !input.streamerId || m.streamerId === input.streamerId,
    );
    try {
      const backfilled = new Set<string>();
      let after = input.lastEventId;
      while (after && !signal.aborted) {
        const page = await listMomentsAfter(ctx.db, {
          afterId: after,
          limit: BACKFILL_PAGE,
          ...(input.streamerId !== undefined && { streamerId: input.streamerId }),
        });
        for (const m of page) {
          const room = ctx.live.connection?.room();
          if (room) await room;
          if (signal?.aborted) return;
          backfilled.add(m.id);
          if (backfilled.size > BACKFILLED_IDS) backfilled.delete(backfilled.values().next().value as string);
          observer?.delivered(1);
          yield tracked(m.id, m);
        }
        after = page.length === BACKFILL_PAGE ? page.at(-1)?.id : undefined;
      }
      // WebSocket fast path: hand the live part over to the server's fan-out, which
      // serialises each moment once. Drain and attach happen in one synchronous step, so
      // nothing falls between; then this generator only waits for the subscription's end.
      if (ctx.live.directMoments && !signal.aborted) {
        const pending = live.items.drain().filter((m) => !backfilled.has(m.id));
        const attached = ctx.live.directMoments.attach({
          streamerId: input.streamerId,
          lastEventId: input.lastEventId,
          pending,
          signal,
        });
        if (attached) {
          await live.items.return();
          await new Promise<void>((resolve) =>
            signal.addEventListener("abort", () => resolve(), { once: true }),
          );
          ctx.session.throwIfExpired();
          return;
        }
        for (const m of pending) {
          observer?.delivered(1);
          yield tracked(m.id, m);
        }
      }
      for await (const m of live.items) {
        if (backfilled.has(m.id)) continue;
        observer?.delivered(1);
        yield tracked(m.id, m);
      }
      ctx.session.throwIfExpired();
    } finally {
      await live.close();
    }
  });
