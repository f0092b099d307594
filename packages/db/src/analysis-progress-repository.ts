import type { Moment } from "@emote/contracts";
import { and, asc, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { momentToRow, rowToMoment } from "./moment-rows.ts";
import {
  consumerCheckpoints,
  momentLog,
  moments,
  streamerProgress,
  streamIntensity,
  streams,
  type LeadingEmotes,
  type PendingCounts,
  type PendingTraces,
} from "./schema.ts";

export interface StreamerProgress {
  streamerId: string;
  batchSeq: number;
  pendingCount: number;
  pendingCounts: PendingCounts;
  pendingTraces: PendingTraces;
  /**
   * The streaming detectors' and timeline's state (the worker's format); absent before it had
   * any. Loaded as an object; written as an object or as its JSON text (a string), which is
   * stored as it is: a worker that has the text already (its surge thread serialises its
   * state there) does not build the object again to have it serialised. The text must be a
   * JSON object's; other text fails the commit.
   */
  detectorState?: Record<string, unknown> | string;
}

/** A stream session as the worker's commit writes it (absolute values: a replay rewrites the same row). */
export interface StreamSession {
  id: string;
  streamerId: string;
  /** Event times, epoch ms. */
  startedAtMs: number;
  lastEmoteAtMs: number;
  emotes: number;
}

/** One 10 s bucket of a streamer's timeline, in its state at the commit (absolute values). */
export interface IntensityBucket {
  streamerId: string;
  bucketStartMs: number;
  streamId: string;
  emotes: number;
  viewers: number;
  leading: LeadingEmotes;
}

/** What one processed partition batch made durable, written atomically. */
export interface AnalysisCommit {
  groupId: string;
  topic: string;
  partition: number;
  /** The first offset not yet applied. */
  nextOffset: bigint;
  streamers: StreamerProgress[];
  moments: Moment[];
  /** Timeline buckets and stream sessions the batch touched (one entry per key). */
  intensity?: IntensityBucket[];
  streams?: StreamSession[];
}

export async function loadCheckpoint(
  db: Database,
  groupId: string,
  topic: string,
  partition: number,
): Promise<bigint | null> {
  const rows = await db
    .select({ nextOffset: consumerCheckpoints.nextOffset })
    .from(consumerCheckpoints)
    .where(checkpointRow(groupId, topic, partition));
  return rows[0]?.nextOffset ?? null;
}

/**
 * Drops a partition's checkpoint that belongs to an earlier log of the same topic (the
 * topic was deleted and created again): the new log is applied from its start. Only the
 * checkpoint as it was read (`nextOffset`) goes, so one moved on meanwhile stays.
 */
export async function dropEarlierLogCheckpoint(
  db: Database,
  groupId: string,
  topic: string,
  partition: number,
  nextOffset: bigint,
): Promise<void> {
  await db
    .delete(consumerCheckpoints)
    .where(and(checkpointRow(groupId, topic, partition), eq(consumerCheckpoints.nextOffset, nextOffset)));
}

/**
 * Per partition of `topic`, the furthest next offset any consumer group stored: where a
 * bus that keeps no records across restarts (the in-process one) must continue numbering
 * so that stored checkpoints never lie ahead of new records.
 */
export async function loadStoredNextOffsets(
  db: Database,
  topic: string,
): Promise<{ partition: number; nextOffset: bigint }[]> {
  return db
    .select({
      partition: consumerCheckpoints.partition,
      nextOffset: sql<bigint>`max(${consumerCheckpoints.nextOffset})`.mapWith((v: string | number | bigint) =>
        BigInt(v),
      ),
    })
    .from(consumerCheckpoints)
    .where(eq(consumerCheckpoints.topic, topic))
    .groupBy(consumerCheckpoints.partition)
    .orderBy(asc(consumerCheckpoints.partition));
}

/**
 * The moments the partition's last commit stored, with their positions, in log order:
 * what its worker may not have published if it died right after that commit.
 */
export async function loadLastCommittedMoments(
  db: Database,
  groupId: string,
  topic: string,
  partition: number,
): Promise<Moment[]> {
  const [row] = await db
    .select({ ids: consumerCheckpoints.lastMomentIds })
    .from(consumerCheckpoints)
    .where(checkpointRow(groupId, topic, partition));
  if (!row || row.ids.length === 0) return [];
  const rows = await db
    .select()
    .from(moments)
    .where(inArray(moments.id, row.ids))
    .orderBy(asc(moments.position));
  return rows.map(rowToMoment);
}

export async function loadStreamerProgress(
  db: Database,
  groupId: string,
  streamerIds: string[],
): Promise<StreamerProgress[]> {
  if (streamerIds.length === 0) return [];
  const rows = await db
    .select({
      streamerId: streamerProgress.streamerId,
      batchSeq: streamerProgress.batchSeq,
      pendingCount: streamerProgress.pendingCount,
      pendingCounts: streamerProgress.pendingCounts,
      pendingTraces: streamerProgress.pendingTraces,
      detectorState: streamerProgress.detectorState,
    })
    .from(streamerProgress)
    .where(and(eq(streamerProgress.groupId, groupId), inArray(streamerProgress.streamerId, streamerIds)));
  return rows.map(({ detectorState, ...p }) => (detectorState === null ? p : { ...p, detectorState }));
}

/**
 * Stores moments (by id: a replayed moment is a no-op; a surge's end moves its row to a new
 * position), the streamers' open batches and detector state, the timeline rows and the
 * partition checkpoint in one transaction: either all of a batch's effects are
 * durable or none are. Rows travel as one JSON parameter expanded by
 * `jsonb_to_recordset` (`json_to_recordset` for the streamers), so thousands of rows are one short statement (a multi-row VALUES
 * would need 7 bind parameters per row and cost far more to build and plan).
 *
 * Returns the moments' positions in the moment log, in the order of `c.moments` (a moment
 * stored before keeps its position): new moments are numbered after the log's last
 * position under its row lock, taken last so it is held only for the insert and the commit.
 */
export async function commitAnalysis(db: Database, c: AnalysisCommit): Promise<number[]> {
  if (c.moments.length === 0) {
    await commitWithoutMoments(db, c);
    return [];
  }
  const lastMomentIds = c.moments.map((m) => m.id);
  return db.transaction(async (tx) => {
    // The checkpoint first: its row lock orders commits for the partition, and a member
    // that lost the partition (evicted while it waited) cannot move it back over what the
    // new owner stored. The same offset again is a retry of this very commit.
    const advanced = await advanceCheckpoint(tx, c, lastMomentIds);
    if (advanced.length === 0) throw superseded(c);
    const writes = progressWrites(c, sql`true`);
    if (writes) await tx.execute(sql`with ${writes} select 1`);
    return storeMoments(tx, c.moments);
  });
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Appends the moments not stored yet to the moment log (the caller's transaction holds its lock until commit). */
async function storeMoments(tx: Transaction, list: readonly Moment[]): Promise<number[]> {
  const unique = [...new Map(list.map((m) => [m.id, m])).values()];
  const [log] = await tx
    .select({ lastPosition: momentLog.lastPosition })
    .from(momentLog)
    .where(eq(momentLog.id, 1))
    .for("update");
  if (!log) throw new Error("the moment log has no row: the database is not migrated");
  // Under the log's lock no other transaction stores moments, so "not stored yet" stays
  // true until this one commits, and the new positions follow the last one without a gap.
  // A surge's end (same id, endedAt set) over its stored onset is an update that takes a
  // new position, so subscribers resuming past the onset's position see it; the onset's old
  // position is left without a row (readers take a missing position as not stored any more).
  await tx.execute(sql`
    with x as (
      select * from rows from (jsonb_to_recordset(${JSON.stringify(unique.map(momentToRow))}::jsonb) as (
        "id" text, "streamerId" text, "emote" text, "timestamp" timestamptz, "count" integer,
        "total" integer, "ratio" double precision, "traceparent" text, "kind" text,
        "startedAt" timestamptz, "decidedAt" timestamptz, "endedAt" timestamptz,
        "peakRate" double precision, "baselineRate" double precision, "score" double precision,
        "viewers" integer))
        with ordinality as x("id", "streamerId", "emote", "timestamp", "count", "total", "ratio",
          "traceparent", "kind", "startedAt", "decidedAt", "endedAt", "peakRate", "baselineRate",
          "score", "viewers", n)
    ), fresh as (
      select x.*, row_number() over (order by x.n) as k from x left join ${moments} m on m.id = x."id"
      where m.id is null or (x."endedAt" is not null and m.ended_at is null)
    )
    insert into ${moments} (id, streamer_id, emote, window_start, count, total, ratio, traceparent,
      kind, started_at, decided_at, ended_at, peak_rate, baseline_rate, score, viewers, "position")
    select "id", "streamerId", "emote", "timestamp", "count", "total", "ratio", "traceparent",
      coalesce("kind", 'threshold'), "startedAt", "decidedAt", "endedAt", "peakRate", "baselineRate",
      "score", "viewers", ${log.lastPosition}::bigint + k
    from fresh order by n
    on conflict (id) do update set
      count = excluded.count, total = excluded.total, ratio = excluded.ratio,
      ended_at = excluded.ended_at, peak_rate = excluded.peak_rate, viewers = excluded.viewers,
      "position" = excluded."position"`);
  const ids = JSON.stringify(unique.map((m) => m.id));
  const stored = await tx
    .select({ id: moments.id, position: moments.position })
    .from(moments)
    .where(sql`${moments.id} in (select jsonb_array_elements_text(${ids}::jsonb))`);
  const positions = new Map(stored.map((r) => [r.id, r.position]));
  const last = Math.max(log.lastPosition, ...positions.values());
  if (last > log.lastPosition) {
    await tx.update(momentLog).set({ lastPosition: last }).where(eq(momentLog.id, 1));
  }
  return list.map((m) => {
    const position = positions.get(m.id);
    if (position === undefined) throw new Error(`moment ${m.id} was not stored`);
    return position;
  });
}

/**
 * Most batches close no moment: their checkpoint and open batches are one statement, so
 * one round trip instead of four (begin, checkpoint, streamers, commit). The streamers'
 * rows are written only when the checkpoint advanced, and a single statement is atomic.
 */
async function commitWithoutMoments(db: Database, c: AnalysisCommit): Promise<void> {
  // The same checkpoint upsert as the transaction's (drizzle puts an embedded query in parentheses).
  const result = await db.execute(sql`
    with checkpoint as ${advanceCheckpoint(db, c, [])}${progressWrites(c, sql`exists (select 1 from checkpoint)`, sql`, `) ?? sql``}
    select count(*)::int as advanced from checkpoint`);
  if (Number(firstRowOf(result)?.advanced ?? 0) === 0) throw superseded(c);
}

/**
 * Moves the partition's checkpoint to `c.nextOffset` unless it is further already (the
 * same offset again is a retry of the same commit); returns a row only when it moved.
 */
function advanceCheckpoint(db: Database | Transaction, c: AnalysisCommit, lastMomentIds: string[]) {
  return db
    .insert(consumerCheckpoints)
    .values({
      groupId: c.groupId,
      topic: c.topic,
      partition: c.partition,
      nextOffset: c.nextOffset,
      lastMomentIds,
    })
    .onConflictDoUpdate({
      target: [consumerCheckpoints.groupId, consumerCheckpoints.topic, consumerCheckpoints.partition],
      set: { nextOffset: c.nextOffset, lastMomentIds, updatedAt: sql`now()` },
      setWhere: lte(consumerCheckpoints.nextOffset, c.nextOffset),
    })
    .returning({ nextOffset: consumerCheckpoints.nextOffset });
}

function superseded(c: AnalysisCommit): CheckpointSupersededError {
  return new CheckpointSupersededError(
    `${c.topic}[${c.partition}] of group ${c.groupId} is already past offset ${c.nextOffset}`,
  );
}

/**
 * The data-modifying CTEs that write a commit's streamer progress, timeline buckets and
 * stream sessions where `condition` holds (undefined when there is nothing to write), so
 * all of them ride in one statement: no round trip of their own. `lead` goes before them.
 */
function progressWrites(c: AnalysisCommit, condition: SQL, lead: SQL = sql``): SQL | undefined {
  const parts: SQL[] = [];
  if (c.streamers.length > 0)
    parts.push(sql`streamers as (${upsertStreamers(c.groupId, c.streamers, condition)})`);
  if (c.intensity?.length) parts.push(sql`intensity as (${upsertIntensity(c.intensity, condition)})`);
  if (c.streams?.length) parts.push(sql`sessions as (${upsertStreams(c.streams, condition)})`);
  return parts.length === 0 ? undefined : sql.join([lead, sql.join(parts, sql`, `)]);
}

/**
 * Writes the streamers' open batches, batch counters and detector state, for the rows where
 * `condition` holds. Read as `json`, not `jsonb`: the detector state (kB per streamer) is
 * stored as the text it is, and parsing it all into jsonb first was most of the statement.
 */
function upsertStreamers(groupId: string, streamers: StreamerProgress[], condition: SQL): SQL {
  // Read as text, "detectorState" is the nested state's JSON as it was written (json_to_recordset).
  return sql`
    insert into ${streamerProgress}
      (group_id, streamer_id, batch_seq, pending_count, pending_counts, pending_traces, detector_state)
    select ${groupId}, "streamerId", "batchSeq", "pendingCount", "pendingCounts", "pendingTraces",
      "detectorState"::json
    from json_to_recordset(${streamersJson(streamers)}::json) as x(
      "streamerId" text, "batchSeq" integer, "pendingCount" integer, "pendingCounts" jsonb,
      "pendingTraces" jsonb, "detectorState" text)
    where ${condition}
    on conflict (group_id, streamer_id) do update set
      batch_seq = excluded.batch_seq, pending_count = excluded.pending_count,
      pending_counts = excluded.pending_counts, pending_traces = excluded.pending_traces,
      detector_state = excluded.detector_state, updated_at = now()`;
}

/**
 * The streamers as JSON, each detector state in it as the JSON it is. Given as text, it
 * would be escaped here character by character and unescaped in PostgreSQL: JSON.stringify
 * spends about 3 ns a character on a string, and the states are most of the commit. A state
 * text that is not an object's, or holds a `\u` escape (json_to_recordset refuses to decode
 * `\u0000` and lone surrogates into text), travels as a string as before: the `::json` cast
 * then judges it row by row.
 */
export function streamersJson(streamers: StreamerProgress[]): string {
  const rows = streamers.map(({ detectorState, ...row }) => {
    const head = JSON.stringify(row);
    if (detectorState === undefined) return head;
    const text = typeof detectorState === "string" ? detectorState : JSON.stringify(detectorState);
    const state = text.startsWith("{") && !text.includes("\\u") ? text : JSON.stringify(text);
    return head === "{}" ? `{"detectorState":${state}}` : `${head.slice(0, -1)},"detectorState":${state}}`;
  });
  return `[${rows.join(",")}]`;
}

function upsertIntensity(buckets: IntensityBucket[], condition: SQL): SQL {
  return sql`
    insert into ${streamIntensity} (streamer_id, bucket_start, stream_id, emotes, viewers, "leading")
    select "streamerId", to_timestamp("bucketStartMs" / 1000.0), "streamId", "emotes", "viewers", "leading"
    from jsonb_to_recordset(${JSON.stringify(buckets)}::jsonb) as x(
      "streamerId" text, "bucketStartMs" bigint, "streamId" text, "emotes" integer, "viewers" integer,
      "leading" jsonb)
    where ${condition}
    on conflict (streamer_id, bucket_start) do update set
      stream_id = excluded.stream_id, emotes = excluded.emotes, viewers = excluded.viewers,
      "leading" = excluded."leading"`;
}

function upsertStreams(sessions: StreamSession[], condition: SQL): SQL {
  return sql`
    insert into ${streams} (id, streamer_id, started_at, last_emote_at, emotes)
    select "id", "streamerId", to_timestamp("startedAtMs" / 1000.0), to_timestamp("lastEmoteAtMs" / 1000.0), "emotes"
    from jsonb_to_recordset(${JSON.stringify(sessions)}::jsonb) as x(
      "id" text, "streamerId" text, "startedAtMs" bigint, "lastEmoteAtMs" bigint, "emotes" bigint)
    where ${condition}
    on conflict (id) do update set last_emote_at = excluded.last_emote_at, emotes = excluded.emotes`;
}

/**
 * Deletes at most `limit` timeline buckets older than `before` (retention): one bounded
 * statement on the bucket_start index, called periodically; returns how many went.
 */
export async function deleteExpiredIntensity(db: Database, before: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    with gone as (
      delete from ${streamIntensity} where ctid = any(array(
        select ctid from ${streamIntensity} where bucket_start < ${before.toISOString()}::timestamptz limit ${limit}))
      returning 1)
    select count(*)::int as deleted from gone`);
  return Number(firstRowOf(result)?.deleted ?? 0);
}

/** The first row a raw statement answered: postgres.js answers with the rows, PGlite with `{ rows }`. */
function firstRowOf(result: unknown): Record<string, unknown> | undefined {
  const rows: unknown = Array.isArray(result) ? result : (result as { rows?: unknown }).rows;
  const first: unknown = Array.isArray(rows) ? rows[0] : undefined;
  return typeof first === "object" && first !== null ? (first as Record<string, unknown>) : undefined;
}

/** A commit for a partition whose stored checkpoint is further on: nothing was written. */
export class CheckpointSupersededError extends Error {
  override name = "CheckpointSupersededError";
}

/** The checkpoint row of one partition for one consumer group. */
function checkpointRow(groupId: string, topic: string, partition: number) {
  return and(
    eq(consumerCheckpoints.groupId, groupId),
    eq(consumerCheckpoints.topic, topic),
    eq(consumerCheckpoints.partition, partition),
  );
}
