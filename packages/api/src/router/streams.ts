import { streamerIdSchema, type Moment } from "@emote/contracts";
import {
  bucketStartOf,
  findStream,
  listStreams,
  streamIntensitySlots,
  streamMomentCounts,
  streamSurges,
  surgesFoundByThreshold,
  type Database,
  type StreamRow,
  type StreamSpan,
} from "@emote/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import {
  STREAM_LIVE_GAP_MS,
  TIMELINE_SLOTS_DEFAULT,
  TIMELINE_SLOTS_MAX,
  streamHours,
  timelineSlotMs,
} from "../streams/timeline-slots.ts";
import { publicProcedure } from "../trpc.ts";
import { isoInstant, queryText } from "./input.ts";

/** Streams per page of streams.list: by default, and at most. */
export const STREAMS_PAGE_DEFAULT = 20;
export const STREAMS_PAGE_MAX = 100;
/** Most surge moments a timeline or a comparison lists (with `surgesTruncated` beyond). */
export const STREAM_SURGES_MAX = 1_000;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${STREAMS_PAGE_MAX}`;
const SLOTS_MESSAGE = `maxSlots must be a whole number from 1 to ${TIMELINE_SLOTS_MAX.toLocaleString("en")}`;

export const streamsListInput = z.object({
  streamerId: streamerIdSchema,
  /** The previous page's nextCursor. */
  cursor: isoInstant().nullish(),
  limit: z
    .number({ error: LIMIT_MESSAGE })
    .int(LIMIT_MESSAGE)
    .min(1, LIMIT_MESSAGE)
    .max(STREAMS_PAGE_MAX, LIMIT_MESSAGE)
    .default(STREAMS_PAGE_DEFAULT),
});

const streamIdInput = queryText(200);

export const streamsTimelineInput = z.object({
  streamId: streamIdInput,
  maxSlots: z
    .number({ error: SLOTS_MESSAGE })
    .int(SLOTS_MESSAGE)
    .min(1, SLOTS_MESSAGE)
    .max(TIMELINE_SLOTS_MAX, SLOTS_MESSAGE)
    .default(TIMELINE_SLOTS_DEFAULT),
});

/** A stream as clients see it. */
export interface StreamSummary {
  id: string;
  streamerId: string;
  startedAt: string;
  /** Event time of its last emote so far. */
  lastEmoteAt: string;
  emotes: number;
  /** Its last emote is less than the session gap (10 min) ago: more may come. */
  live: boolean;
}

function summary(row: StreamRow, now: number): StreamSummary {
  return {
    id: row.id,
    streamerId: row.streamerId,
    startedAt: row.startedAt.toISOString(),
    lastEmoteAt: row.lastEmoteAt.toISOString(),
    emotes: row.emotes,
    live: now - row.lastEmoteAt.getTime() < STREAM_LIVE_GAP_MS,
  };
}

function spanOf(row: StreamRow): StreamSpan {
  return { streamerId: row.streamerId, from: row.startedAt, to: row.lastEmoteAt };
}

async function streamOrNotFound(db: Database, id: string): Promise<StreamRow> {
  const row = await findStream(db, id);
  if (!row) {
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `streamId: there is no stream "${id}" (streams.list names a streamer's streams)`,
    });
  }
  return row;
}

/** A surge moment as the A/B comparison lists it: which detectors found it. */
export interface ComparedSurge {
  moment: Moment;
  /** A moment of the seed's rule of the same emote whose minute overlaps the surge. */
  foundByThreshold: boolean;
}

export const streamsRouter = {
  /**
   * A streamer's streams (sessions of its chat: a new one after 10 min of silence), newest
   * first, a page at a time; nextCursor is null on the last page.
   */
  list: publicProcedure.input(streamsListInput).query(async ({ ctx, input }) => {
    const rows = await listStreams(ctx.db, {
      streamerId: input.streamerId,
      ...(input.cursor && { before: new Date(input.cursor) }),
      limit: input.limit,
    });
    const now = Date.now();
    const items = rows.slice(0, input.limit).map((r) => summary(r, now));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > input.limit && last ? last.startedAt : null };
  }),

  /**
   * A stream's timeline: its intensity in slots from its first 10 s bucket (the stored
   * buckets, or a whole multiple of them so that at most `maxSlots` come: downsampled,
   * never paged), only the
   * slots with emotes; its surge moments in onset order; how many moments the seed's rule
   * found in it. A live stream's timeline grows: clients ask again (the dashboard every
   * 10 s) and take new surges and their ends from moments.live meanwhile.
   */
  timeline: publicProcedure.input(streamsTimelineInput).query(async ({ ctx, input }) => {
    const row = await streamOrNotFound(ctx.db, input.streamId);
    // Slots line up with the stored buckets: they start at the stream's first bucket.
    const origin = bucketStartOf(row.startedAt);
    const slotMs = timelineSlotMs(origin, row.lastEmoteAt, input.maxSlots);
    const span = spanOf(row);
    const [slots, surges, counts] = await Promise.all([
      streamIntensitySlots(ctx.db, { streamId: row.id, origin, widthMs: slotMs }),
      streamSurges(ctx.db, span, STREAM_SURGES_MAX),
      streamMomentCounts(ctx.db, span),
    ]);
    const listed: Moment[] = surges.slice(0, STREAM_SURGES_MAX);
    return {
      stream: summary(row, Date.now()),
      slotMs,
      slots: slots.map((s) => ({
        start: new Date(origin.getTime() + s.slot * slotMs).toISOString(),
        emotes: s.emotes,
        viewers: s.viewers,
        leading: s.leading,
      })),
      surges: listed,
      surgesTruncated: surges.length > STREAM_SURGES_MAX,
      thresholdMoments: counts.threshold,
    };
  }),

  /**
   * A/B of the two detectors on one stream: moments per hour of each, and for each surge
   * whether the seed's rule found it too (a rule moment of the same emote whose minute
   * overlaps the surge).
   */
  compare: publicProcedure.input(z.object({ streamId: streamIdInput })).query(async ({ ctx, input }) => {
    const row = await streamOrNotFound(ctx.db, input.streamId);
    const span = spanOf(row);
    const [counts, surges] = await Promise.all([
      streamMomentCounts(ctx.db, span),
      streamSurges(ctx.db, span, STREAM_SURGES_MAX),
    ]);
    const listed = surges.slice(0, STREAM_SURGES_MAX);
    const found = await surgesFoundByThreshold(ctx.db, listed);
    const hours = streamHours(row.startedAt, row.lastEmoteAt);
    const compared: ComparedSurge[] = listed.map((moment) => ({
      moment,
      foundByThreshold: found.has(moment.id),
    }));
    return {
      stream: summary(row, Date.now()),
      hours,
      threshold: { moments: counts.threshold, perHour: counts.threshold / hours, surgesFound: found.size },
      surge: { moments: counts.surge, perHour: counts.surge / hours, surgesFound: listed.length },
      surges: compared,
      surgesTruncated: surges.length > STREAM_SURGES_MAX,
    };
  }),
} satisfies TRPCRouterRecord;
