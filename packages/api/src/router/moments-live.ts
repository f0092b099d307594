import { momentKind, streamerIdSchema, type Moment } from "@emote/contracts";
import { listMomentsInLog, momentPosition } from "@emote/db";
import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { subscribeLive } from "../live/live.ts";
import { resumePositionLost, resumeText } from "../live/resume.ts";
import { liveProcedure } from "../trpc.ts";
import { detectorKindsInput } from "./input.ts";

/** Moments read from PostgreSQL at a time; the socket's budget paces each one out. */
const BACKFILL_PAGE = 200;

/**
 * Live moments, each a tracked event whose id is the moment's id, in the order of the
 * moment log (positions: commit order, the same on every server). A client that
 * reconnects with its last event id — to this server or another — gets every moment
 * after that one exactly once: the part this server delivered before the subscription
 * began from PostgreSQL (committed, since a server delivers only committed moments), the
 * rest live. An id that names no stored moment ends the subscription with the
 * resume-lost signal (NOT_FOUND), never a silent gap. Over WebSocket the backfill waits
 * for room on the socket before each moment, so it never queues more than the socket's
 * budget, however far back the client resumes.
 *
 * `kinds` chooses the detectors whose moments come: by default only the seed's rule
 * ("threshold"), so a client of the original contract gets exactly what it got before.
 */
export const momentsLive = liveProcedure
  .input(
    z.object({
      streamerId: streamerIdSchema.optional(),
      lastEventId: resumeText.nullish(),
      kinds: detectorKindsInput,
    }),
  )
  .subscription(async function* ({ ctx, input }) {
    const { signal } = ctx.session;
    const observer = ctx.live.observer;
    const feed = ctx.live.moments;
    const streamerId = input.streamerId;
    const kinds = new Set(input.kinds);
    // Once known, the feed's position stays known: checked before anything is opened.
    if (feed.nextPosition() === undefined) unavailable();
    // Counted until the subscription ends, on either path (tRPC's or the direct fan-out).
    // Listening starts before anything is read, so nothing falls between the two.
    const live = subscribeLive(
      ctx.live,
      "moments.live",
      feed,
      signal,
      (m: Moment) => (!streamerId || m.streamerId === streamerId) && kinds.has(momentKind(m)),
    );
    let liveFrom = feed.nextPosition() ?? unavailable();
    try {
      // The position of the last moment the client has: live moments up to it are skipped.
      let sent = liveFrom - 1;
      if (input.lastEventId) {
        const position = await positionOf(ctx, input.lastEventId);
        if (position === null) throw resumePositionLost(input.lastEventId);
        sent = position;
      }
      for (;;) {
        // What this server delivered before listening began and the client has not seen.
        while (sent < liveFrom - 1 && !signal.aborted) {
          const page = await listMomentsInLog(ctx.db, {
            after: sent,
            before: liveFrom,
            limit: BACKFILL_PAGE,
            kinds: input.kinds,
            ...(streamerId !== undefined && { streamerId }),
          });
          for (const m of page) {
            const room = ctx.live.connection?.room();
            if (room) await room;
            if (signal.aborted) return;
            observer?.delivered(1);
            yield tracked(m.id, m);
            sent = m.position ?? sent;
          }
          if (page.length < BACKFILL_PAGE) sent = liveFrom - 1;
        }
        if (signal.aborted) break;
        // WebSocket fast path: hand the live part over to the server's fan-out, which
        // serialises each moment once. Drain and attach happen in one synchronous step, so
        // nothing falls between; then this generator only waits for the subscription's end.
        if (ctx.live.directMoments && live.items.dropped() === 0) {
          const after = sent;
          const pending = live.items.drain().filter((m) => (m.position ?? 0) > after);
          const attached = ctx.live.directMoments.attach({
            streamerId,
            lastEventId: input.lastEventId,
            kinds: input.kinds,
            after,
            pending,
            signal,
          });
          if (attached) {
            await live.items.return();
            if (!signal.aborted) {
              await new Promise<void>((resolve) =>
                signal.addEventListener("abort", () => resolve(), { once: true }),
              );
            }
            ctx.session.throwIfExpired();
            return;
          }
          for (const m of pending) {
            observer?.delivered(1);
            yield tracked(m.id, m);
            sent = m.position ?? sent;
          }
        }
        let overflowed = false;
        for await (const m of live.items) {
          // Fell more than MAX_QUEUED behind: what was dropped is read again from PostgreSQL.
          if (live.items.dropped() > 0) {
            overflowed = true;
            break;
          }
          if ((m.position ?? 0) <= sent) continue;
          observer?.delivered(1);
          yield tracked(m.id, m);
          sent = m.position ?? sent;
        }
        if (!overflowed) break;
        await live.relisten();
        liveFrom = feed.nextPosition() ?? unavailable();
      }
      ctx.session.throwIfExpired();
    } finally {
      await live.close();
    }
  });

/** The server has not read the moment log yet (PostgreSQL unreachable since it started). */
function unavailable(): never {
  throw new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: "live moments are not available yet: this server cannot read the moment log; try again shortly",
  });
}

/** The position of the moment a client last received; null when none can be found. */
async function positionOf(
  ctx: { db: Parameters<typeof momentPosition>[0] },
  id: string,
): Promise<number | null> {
  // Not a moment id at all (or text PostgreSQL cannot compare): nothing to look up.
  if (id.length > 64 || id.includes("\0")) return null;
  return momentPosition(ctx.db, id);
}
