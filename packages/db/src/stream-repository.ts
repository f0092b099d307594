import { and, asc, desc, eq, gte, lt, lte, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import { rowToMoment, type StoredMoment } from "./moment-rows.ts";
import { moments, streamIntensity, streams, type LeadingEmotes, type StreamRow } from "./schema.ts";

/** Width of one stored intensity bucket (the worker's rollup). */
export const INTENSITY_BUCKET_MS = 10_000;

/**
 * A streamer's streams newest first (start time descending), a page at a time: those that
 * started before `before` when given. Returns one row more than asked when there is a next page.
 */
export async function listStreams(
  db: Database,
  q: { streamerId: string; before?: Date; limit: number },
): Promise<StreamRow[]> {
  const where = [eq(streams.streamerId, q.streamerId)];
  if (q.before !== undefined) where.push(lt(streams.startedAt, q.before));
  return db
    .select()
    .from(streams)
    .where(and(...where))
    .orderBy(desc(streams.startedAt))
    .limit(q.limit + 1);
}

export async function findStream(db: Database, id: string): Promise<StreamRow | undefined> {
  const [row] = await db.select().from(streams).where(eq(streams.id, id));
  return row;
}

/** One slot of a stream's timeline: `slot` counts slots of `widthMs` from the stream's start. */
export interface IntensitySlot {
  slot: number;
  emotes: number;
  /** The most distinct viewers of any stored bucket in the slot (viewers of two buckets may be the same people). */
  viewers: number;
  leading: LeadingEmotes;
}

/** How many leading emotes a slot keeps. */
const LEADING_KEPT = 3;

/** The start of the 10 s bucket an instant falls in (buckets are aligned to the epoch). */
export function bucketStartOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / INTENSITY_BUCKET_MS) * INTENSITY_BUCKET_MS);
}

/**
 * A stream's intensity in slots of `widthMs` (a multiple of the 10 s buckets) from
 * `origin` (a bucket start), only the slots that have emotes, in time order. Wider slots
 * are aggregated in PostgreSQL, so the answer has at most one row per slot however long
 * the stream; slots of 10 s are the stored rows as they are.
 */
export async function streamIntensitySlots(
  db: Database,
  q: { streamId: string; origin: Date; widthMs: number },
): Promise<IntensitySlot[]> {
  if (q.widthMs === INTENSITY_BUCKET_MS) {
    const rows = await db
      .select()
      .from(streamIntensity)
      .where(eq(streamIntensity.streamId, q.streamId))
      .orderBy(asc(streamIntensity.bucketStart));
    return rows.map((r) => ({
      slot: Math.floor((r.bucketStart.getTime() - q.origin.getTime()) / q.widthMs),
      emotes: r.emotes,
      viewers: r.viewers,
      leading: [...r.leading].sort((a, b) => b.count - a.count).slice(0, LEADING_KEPT),
    }));
  }
  const slot = sql<number>`floor(extract(epoch from (${streamIntensity.bucketStart} - ${q.origin.toISOString()}::timestamptz)) * 1000 / ${q.widthMs})::int`;
  const totals = await db
    .select({
      slot: slot.as("slot"),
      emotes: sql<number>`sum(${streamIntensity.emotes})::int`,
      viewers: sql<number>`max(${streamIntensity.viewers})::int`,
    })
    .from(streamIntensity)
    .where(eq(streamIntensity.streamId, q.streamId))
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  const leading = await db.execute<{ slot: number; emote: string; count: number }>(sql`
    select slot, emote, count from (
      select slot, emote, count, row_number() over (partition by slot order by count desc, emote) as rank
      from (
        select ${slot} as slot, l->>'emote' as emote, sum((l->>'count')::int)::int as count
        from ${streamIntensity}, jsonb_array_elements(${streamIntensity.leading}) as l
        where ${streamIntensity.streamId} = ${q.streamId}
        group by 1, 2
      ) per_emote
    ) ranked
    where rank <= ${LEADING_KEPT}
    order by slot, rank`);
  const bySlot = new Map<number, LeadingEmotes>();
  for (const r of rowsOf<{ slot: number; emote: string; count: number }>(leading)) {
    const list = bySlot.get(Number(r.slot)) ?? [];
    list.push({ emote: r.emote, count: Number(r.count) });
    bySlot.set(Number(r.slot), list);
  }
  return totals.map((t) => ({
    slot: Number(t.slot),
    emotes: Number(t.emotes),
    viewers: Number(t.viewers),
    leading: bySlot.get(Number(t.slot)) ?? [],
  }));
}

/** postgres.js answers an array, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The time a stream covers: from its start to its last emote (inclusive). */
export interface StreamSpan {
  streamerId: string;
  from: Date;
  to: Date;
}

/**
 * The surge moments whose onset lies in the stream, in onset order, at most `limit` (plus
 * one, to tell the caller there are more).
 */
export async function streamSurges(db: Database, span: StreamSpan, limit: number): Promise<StoredMoment[]> {
  const rows = await db
    .select()
    .from(moments)
    .where(
      and(
        eq(moments.streamerId, span.streamerId),
        eq(moments.kind, "surge"),
        gte(moments.startedAt, span.from),
        lte(moments.startedAt, span.to),
      ),
    )
    .orderBy(asc(moments.startedAt), asc(moments.id))
    .limit(limit + 1);
  return rows.map(rowToMoment);
}

/** Moments of the seed's rule in the stream: their minute starts in it (or is the minute it started in). */
function thresholdInStream(span: StreamSpan) {
  return and(
    eq(moments.streamerId, span.streamerId),
    eq(moments.kind, "threshold"),
    gte(moments.windowStart, sql`date_trunc('minute', ${span.from.toISOString()}::timestamptz)`),
    lte(moments.windowStart, span.to),
  );
}

/** How many moments of each kind the stream has (surges by onset, the rule's by minute). */
export async function streamMomentCounts(
  db: Database,
  span: StreamSpan,
): Promise<{ threshold: number; surge: number }> {
  const [threshold] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(moments)
    .where(thresholdInStream(span));
  const [surge] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(moments)
    .where(
      and(
        eq(moments.streamerId, span.streamerId),
        eq(moments.kind, "surge"),
        gte(moments.startedAt, span.from),
        lte(moments.startedAt, span.to),
      ),
    );
  return { threshold: Number(threshold?.n ?? 0), surge: Number(surge?.n ?? 0) };
}

/**
 * Of the given surge moments, those the seed's rule also found: a rule moment of the same
 * streamer and emote whose minute overlaps the surge (from its onset to its end, or to the
 * record that decided it while it is not over).
 */
export async function surgesFoundByThreshold(db: Database, surges: StoredMoment[]): Promise<Set<string>> {
  const ids = surges.map((m) => m.id);
  if (ids.length === 0) return new Set();
  const found = await db.execute<{ id: string }>(sql`
    select s.id from ${moments} s
    where s.id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
      and exists (
        select 1 from ${moments} t
        where t.streamer_id = s.streamer_id and t.emote = s.emote and t.kind = 'threshold'
          and t.window_start <= coalesce(s.ended_at, s.decided_at, s.started_at)
          and t.window_start + interval '1 minute' > s.started_at
      )`);
  return new Set(rowsOf<{ id: string }>(found).map((r) => r.id));
}
