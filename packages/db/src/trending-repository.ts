import { and, asc, desc, eq, gte, isNotNull, lt, lte, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import {
  moments,
  trendingBoards,
  trendingCheckpoints,
  trendingIntensity,
  trendingMergeState,
  trendingStreamerMinutes,
} from "./schema.ts";

/** A trending commit found its row moved on by another owner: nothing was written. */
export class TrendingSupersededError extends Error {
  override readonly name = "TrendingSupersededError";
}

export interface TrendingCheckpoint {
  nextOffset: number;
  seq: number;
  pending: unknown[];
}

export async function loadTrendingCheckpoint(
  db: Database,
  groupId: string,
  topic: string,
  partition: number,
): Promise<TrendingCheckpoint | null> {
  const [row] = await db
    .select({
      nextOffset: trendingCheckpoints.nextOffset,
      seq: trendingCheckpoints.seq,
      pending: trendingCheckpoints.pending,
    })
    .from(trendingCheckpoints)
    .where(
      and(
        eq(trendingCheckpoints.groupId, groupId),
        eq(trendingCheckpoints.topic, topic),
        eq(trendingCheckpoints.partition, partition),
      ),
    );
  return row ?? null;
}

export interface StoredStreamerMinute {
  streamerId: string;
  /** Epoch ms. */
  minute: number;
  counts: Record<string, number>;
}

export async function loadTrendingStreamerMinutes(
  db: Database,
  groupId: string,
  topic: string,
  partition: number,
): Promise<StoredStreamerMinute[]> {
  const rows = await db
    .select({
      streamerId: trendingStreamerMinutes.streamerId,
      minute: trendingStreamerMinutes.minute,
      counts: trendingStreamerMinutes.counts,
    })
    .from(trendingStreamerMinutes)
    .where(
      and(
        eq(trendingStreamerMinutes.groupId, groupId),
        eq(trendingStreamerMinutes.topic, topic),
        eq(trendingStreamerMinutes.partition, partition),
      ),
    );
  return rows.map((r) => ({ streamerId: r.streamerId, minute: r.minute.getTime(), counts: r.counts }));
}

export interface TrendingPartialCommit {
  groupId: string;
  topic: string;
  partition: number;
  /** The checkpoint as this owner loaded or last wrote it (null: none). */
  previous: { nextOffset: number; seq: number } | null;
  nextOffset: number;
  seq: number;
  pending: unknown[];
  changed: StoredStreamerMinute[];
  /** Snapshots of minutes before this (epoch ms) are deleted (undefined: none). */
  horizon: number | undefined;
}

/**
 * One partial-step batch in one transaction: the checkpoint (only if it is still the one
 * this owner holds: else TrendingSupersededError), the partials to publish, the changed
 * snapshots, and the snapshots past the horizon deleted.
 */
export async function commitTrendingPartials(db: Database, c: TrendingPartialCommit): Promise<void> {
  await db.transaction(async (tx) => {
    const values = {
      groupId: c.groupId,
      topic: c.topic,
      partition: c.partition,
      nextOffset: c.nextOffset,
      seq: c.seq,
      pending: c.pending,
    };
    const moved = c.previous
      ? await tx
          .update(trendingCheckpoints)
          .set({ nextOffset: c.nextOffset, seq: c.seq, pending: c.pending, updatedAt: sql`now()` })
          .where(
            and(
              eq(trendingCheckpoints.groupId, c.groupId),
              eq(trendingCheckpoints.topic, c.topic),
              eq(trendingCheckpoints.partition, c.partition),
              eq(trendingCheckpoints.nextOffset, c.previous.nextOffset),
              eq(trendingCheckpoints.seq, c.previous.seq),
            ),
          )
          .returning({ seq: trendingCheckpoints.seq })
      : await tx
          .insert(trendingCheckpoints)
          .values(values)
          .onConflictDoNothing()
          .returning({ seq: trendingCheckpoints.seq });
    if (moved.length === 0) {
      throw new TrendingSupersededError(
        `${c.topic}[${c.partition}] of ${c.groupId} moved on under another owner`,
      );
    }
    if (c.changed.length > 0) {
      await tx.execute(sql`
        insert into ${trendingStreamerMinutes} (group_id, streamer_id, minute, topic, "partition", counts)
        select ${c.groupId}, "streamerId", to_timestamp("minute" / 1000.0), ${c.topic}, ${c.partition}, "counts"
        from jsonb_to_recordset(${JSON.stringify(c.changed)}::jsonb) as x("streamerId" text, "minute" bigint, "counts" jsonb)
        on conflict (group_id, streamer_id, minute) do update set counts = excluded.counts,
          topic = excluded.topic, "partition" = excluded."partition"`);
    }
    if (c.horizon === undefined) return;
    await tx
      .delete(trendingStreamerMinutes)
      .where(
        and(
          eq(trendingStreamerMinutes.groupId, c.groupId),
          eq(trendingStreamerMinutes.topic, c.topic),
          eq(trendingStreamerMinutes.partition, c.partition),
          lt(trendingStreamerMinutes.minute, new Date(c.horizon)),
        ),
      );
  });
}

export interface StoredMergeState {
  applied: Record<string, number>;
  state: Record<string, unknown>;
  lastBoard: Record<string, unknown> | null;
  /** The viewer sketches of the buckets within `sketchesKeptMs` of the newest one, oldest first. */
  viewerSketches: { bucketStart: number; sketch: string }[];
}

export async function loadMergeState(
  db: Database,
  groupId: string,
  sketchesKeptMs: number,
): Promise<StoredMergeState | null> {
  const [row] = await db
    .select({
      applied: trendingMergeState.applied,
      state: trendingMergeState.state,
      lastBoard: trendingMergeState.lastBoard,
    })
    .from(trendingMergeState)
    .where(eq(trendingMergeState.groupId, groupId));
  if (!row) return null;
  const withSketch = and(eq(trendingIntensity.groupId, groupId), isNotNull(trendingIntensity.viewerSketch));
  const [newest] = await db
    .select({ at: sql<Date | null>`max(${trendingIntensity.bucketStart})` })
    .from(trendingIntensity)
    .where(withSketch);
  const sketches = newest?.at
    ? await db
        .select({ bucketStart: trendingIntensity.bucketStart, sketch: trendingIntensity.viewerSketch })
        .from(trendingIntensity)
        .where(
          and(
            withSketch,
            gte(trendingIntensity.bucketStart, new Date(new Date(newest.at).getTime() - sketchesKeptMs)),
          ),
        )
        .orderBy(asc(trendingIntensity.bucketStart))
    : [];
  return {
    ...row,
    viewerSketches: sketches.map((s) => ({ bucketStart: s.bucketStart.getTime(), sketch: s.sketch ?? "" })),
  };
}

/**
 * Viewer sketches older than this (behind a board's time) are cleared with the retention
 * sweep: up to 4 KiB a bucket, needed only by a merge reloading its last minutes.
 */
export const VIEWER_SKETCHES_KEPT_MS = 60 * 60_000;

/** How long published boards are kept for trending.history. */
export const TRENDING_BOARD_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface MergeCommit {
  groupId: string;
  /** `applied` as this owner loaded or last wrote it (null: no row yet). */
  previousApplied: Record<string, number> | null;
  applied: Record<string, number>;
  state: Record<string, unknown>;
  /** The board to publish after the commit, if any: stored for history and republishing. */
  board?: { seq: number; at: Date; value: Record<string, unknown> };
  /**
   * 10 s buckets (epoch ms), the emotes the merged partials added to them and, where
   * their viewers rose, the new estimate of distinct viewers and its sketch (a union only
   * grows: the larger estimate is kept, the sketch replaced).
   */
  intensity: { bucketStart: number; emotes: number; viewers?: number; viewerSketch?: string }[];
}

/**
 * One merged batch in one transaction: the merge's state with the partials it applied,
 * the intensity they added and the board to publish. The state row is replaced only if it
 * is still the one this owner holds (else TrendingSupersededError), so a merge that lost
 * its partition cannot write over its successor.
 */
export async function commitMerge(db: Database, c: MergeCommit): Promise<void> {
  await db.transaction(async (tx) => {
    const set = {
      applied: c.applied,
      state: c.state,
      updatedAt: sql`now()`,
      ...(c.board ? { lastBoard: c.board.value } : {}),
    };
    const moved = c.previousApplied
      ? await tx
          .update(trendingMergeState)
          .set(set)
          .where(
            and(
              eq(trendingMergeState.groupId, c.groupId),
              sql`${trendingMergeState.applied} = ${JSON.stringify(c.previousApplied)}::jsonb`,
            ),
          )
          .returning({ groupId: trendingMergeState.groupId })
      : await tx
          .insert(trendingMergeState)
          .values({
            groupId: c.groupId,
            applied: c.applied,
            state: c.state,
            lastBoard: c.board?.value ?? null,
          })
          .onConflictDoNothing()
          .returning({ groupId: trendingMergeState.groupId });
    if (moved.length === 0)
      throw new TrendingSupersededError(`the merge state of ${c.groupId} moved on under another owner`);
    if (c.intensity.length > 0) {
      await tx.execute(sql`
        insert into ${trendingIntensity} (group_id, bucket_start, emotes, viewers, viewer_sketch)
        select ${c.groupId}, to_timestamp("bucketStart" / 1000.0), "emotes", "viewers", "viewerSketch"
        from jsonb_to_recordset(${JSON.stringify(c.intensity)}::jsonb)
          as x("bucketStart" bigint, "emotes" integer, "viewers" integer, "viewerSketch" text)
        on conflict (group_id, bucket_start) do update set
          emotes = ${trendingIntensity.emotes} + excluded.emotes,
          viewers = greatest(excluded.viewers, ${trendingIntensity.viewers}),
          viewer_sketch = coalesce(excluded.viewer_sketch, ${trendingIntensity.viewerSketch})`);
    }
    if (c.board) {
      await tx
        .insert(trendingBoards)
        .values({ groupId: c.groupId, seq: c.board.seq, at: c.board.at, board: c.board.value })
        .onConflictDoNothing();
      // Retention, now and then rather than on every board.
      if (c.board.seq % 600 === 0) {
        const before = new Date(c.board.at.getTime() - TRENDING_BOARD_RETENTION_MS);
        await tx
          .delete(trendingBoards)
          .where(and(eq(trendingBoards.groupId, c.groupId), lt(trendingBoards.at, before)));
        await tx
          .delete(trendingIntensity)
          .where(and(eq(trendingIntensity.groupId, c.groupId), lt(trendingIntensity.bucketStart, before)));
        // A bucket's sketch is reloaded for minutes only; its estimate stays for history.
        await tx
          .update(trendingIntensity)
          .set({ viewerSketch: null })
          .where(
            and(
              eq(trendingIntensity.groupId, c.groupId),
              isNotNull(trendingIntensity.viewerSketch),
              lt(trendingIntensity.bucketStart, new Date(c.board.at.getTime() - VIEWER_SKETCHES_KEPT_MS)),
            ),
          );
      }
    }
  });
}

/** The merge whose state changed last: the one history reads (one merge group per database in practice). */
async function activeMergeGroup(db: Database): Promise<string | undefined> {
  const [row] = await db
    .select({ groupId: trendingMergeState.groupId })
    .from(trendingMergeState)
    .orderBy(desc(trendingMergeState.updatedAt))
    .limit(1);
  return row?.groupId;
}

/** The latest board stored, if any (what a gateway serves before the first live one). */
export async function loadLatestBoard(db: Database): Promise<Record<string, unknown> | null> {
  const groupId = await activeMergeGroup(db);
  if (groupId === undefined) return null;
  const [row] = await db
    .select({ board: trendingBoards.board })
    .from(trendingBoards)
    .where(eq(trendingBoards.groupId, groupId))
    .orderBy(desc(trendingBoards.seq))
    .limit(1);
  return row?.board ?? null;
}

export interface TrendingHistory {
  /** Boards in the range, oldest first, evenly thinned to at most `maxBoards`. */
  boards: Record<string, unknown>[];
  /** Platform intensity per 10 s in the range, oldest first. */
  intensity: { bucketStart: Date; emotes: number; viewers: number | null }[];
}

export async function loadTrendingHistory(
  db: Database,
  range: { from: Date; to: Date; maxBoards: number },
): Promise<TrendingHistory> {
  const groupId = await activeMergeGroup(db);
  if (groupId === undefined) return { boards: [], intensity: [] };
  const inRange = and(
    eq(trendingBoards.groupId, groupId),
    gte(trendingBoards.at, range.from),
    lte(trendingBoards.at, range.to),
  );
  const [stats] = await db
    .select({ n: sql<number>`count(*)::int`, first: sql<number | null>`min(${trendingBoards.seq})` })
    .from(trendingBoards)
    .where(inRange);
  const n = Number(stats?.n ?? 0);
  const step = Math.max(1, Math.ceil(n / range.maxBoards));
  const boards = await db
    .select({ board: trendingBoards.board })
    .from(trendingBoards)
    .where(and(inRange, sql`(${trendingBoards.seq} - ${stats?.first ?? 0}) % ${step} = 0`))
    .orderBy(asc(trendingBoards.seq))
    .limit(range.maxBoards);
  const intensity = await db
    .select({
      bucketStart: trendingIntensity.bucketStart,
      emotes: trendingIntensity.emotes,
      viewers: trendingIntensity.viewers,
    })
    .from(trendingIntensity)
    .where(
      and(
        eq(trendingIntensity.groupId, groupId),
        gte(trendingIntensity.bucketStart, range.from),
        lte(trendingIntensity.bucketStart, range.to),
      ),
    )
    .orderBy(asc(trendingIntensity.bucketStart));
  return { boards: boards.map((b) => b.board), intensity };
}

/** Per partition of `topic`, the furthest next offset a trending group stored (the in-process bus continues after it). */
export async function loadTrendingNextOffsets(
  db: Database,
  topic: string,
): Promise<{ partition: number; nextOffset: number }[]> {
  const rows = await db
    .select({
      partition: trendingCheckpoints.partition,
      nextOffset: sql<number>`max(${trendingCheckpoints.nextOffset})`.mapWith(Number),
    })
    .from(trendingCheckpoints)
    .where(eq(trendingCheckpoints.topic, topic))
    .groupBy(trendingCheckpoints.partition);
  return rows;
}

export interface EmoteShareRow {
  streamerId: string;
  emote: string;
  /** The emote's count over the streamer's moments in the range. */
  count: number;
  /** Its share of every emote counted in the streamer's moments in the range (0–1). */
  share: number;
}

/**
 * Cross-streamer analytics (admins): per streamer, each emote's share of the emotes its
 * moments counted in [from, to), largest counts first.
 */
export async function emoteSharePerStreamer(
  db: Database,
  q: { from: Date; to: Date; emote?: string; limit: number },
): Promise<EmoteShareRow[]> {
  const rows = await db.execute(sql`
    with per as (
      select ${moments.streamerId} as streamer_id, ${moments.emote} as emote, sum(${moments.count})::bigint as n
      from ${moments}
      where ${moments.windowStart} >= ${q.from.toISOString()}::timestamptz
        and ${moments.windowStart} < ${q.to.toISOString()}::timestamptz
      group by 1, 2
    ), shares as (
      select streamer_id, emote, n, n::float8 / nullif(sum(n) over (partition by streamer_id), 0) as share from per
    )
    select streamer_id, emote, n, coalesce(share, 0) as share from shares
    ${q.emote === undefined ? sql`` : sql`where emote = ${q.emote}`}
    order by n desc, streamer_id, emote
    limit ${q.limit}`);
  return rowsOf(rows).map((r) => ({
    streamerId: String(r.streamer_id),
    emote: String(r.emote),
    count: Number(r.n),
    share: Number(r.share),
  }));
}

export interface HighlightRateRow {
  streamerId: string;
  highlights: number;
  perHour: number;
}

/** Cross-streamer analytics (admins): streamers by moments (highlights) per hour in [from, to). */
export async function streamersByHighlightsPerHour(
  db: Database,
  q: { from: Date; to: Date; limit: number },
): Promise<HighlightRateRow[]> {
  const hours = Math.max(1 / 60, (q.to.getTime() - q.from.getTime()) / 3_600_000);
  const rows = await db
    .select({ streamerId: moments.streamerId, highlights: sql<number>`count(*)::int` })
    .from(moments)
    .where(and(gte(moments.windowStart, q.from), lt(moments.windowStart, q.to)))
    .groupBy(moments.streamerId)
    .orderBy(desc(sql`count(*)`), asc(moments.streamerId))
    .limit(q.limit);
  return rows.map((r) => ({
    streamerId: r.streamerId,
    highlights: Number(r.highlights),
    perHour: Math.round((Number(r.highlights) / hours) * 100) / 100,
  }));
}

/** Rows of a raw statement: postgres.js answers with the rows, PGlite with `{ rows }`. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  const rows: unknown = Array.isArray(result) ? result : (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}
