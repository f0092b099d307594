import type { DetectorKind, Moment } from "@emote/contracts";
import { and, asc, desc, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { rowToMoment, type StoredMoment } from "./moment-rows.ts";
import { momentLog, moments } from "./schema.ts";

export interface MomentQuery {
  streamerId?: string;
  emote?: string;
  /** Only moments this detector found. */
  kind?: DetectorKind;
  /** Window start at or after. */
  from?: Date;
  /** Window start before. */
  to?: Date;
  /** Keyset: only moments after this one in history order (window start, then log position). */
  before?: { windowStart: Date; position: number };
  limit: number;
}

/**
 * Moments newest first: by window start, then by position in the moment log, both
 * descending, so within a window the first is the last one stored (what a live
 * subscription resumes after). Pages follow each other on the (streamer_id, window_start,
 * position) and (window_start, position) indexes without OFFSET. Returns one row more than
 * asked when there is a next page.
 */
export async function listMoments(db: Database, q: MomentQuery): Promise<StoredMoment[]> {
  const where: SQL[] = [];
  if (q.streamerId !== undefined) where.push(eq(moments.streamerId, q.streamerId));
  if (q.emote !== undefined) where.push(eq(moments.emote, q.emote));
  if (q.kind !== undefined) where.push(eq(moments.kind, q.kind));
  if (q.from !== undefined) where.push(gte(moments.windowStart, q.from));
  if (q.to !== undefined) where.push(lt(moments.windowStart, q.to));
  if (q.before !== undefined) {
    where.push(
      sql`(${moments.windowStart}, ${moments.position}) < (${q.before.windowStart.toISOString()}::timestamptz, ${q.before.position})`,
    );
  }
  const rows = await db
    .select()
    .from(moments)
    .where(and(...where))
    .orderBy(desc(moments.windowStart), desc(moments.position))
    .limit(q.limit + 1);
  return rows.map(rowToMoment);
}

/** The moment's position in the moment log; null when no moment has that id (any more). */
export async function momentPosition(db: Database, id: string): Promise<number | null> {
  const [row] = await db.select({ position: moments.position }).from(moments).where(eq(moments.id, id));
  return row?.position ?? null;
}

/** The last position of the moment log: every moment up to it is committed and visible. */
export async function lastMomentPosition(db: Database): Promise<number> {
  const [row] = await db.select({ lastPosition: momentLog.lastPosition }).from(momentLog);
  return row?.lastPosition ?? 0;
}

/**
 * Moments of the moment log after position `after` (and before `before`, when given),
 * optionally of one streamer and of some detectors, in log order: what a live subscriber
 * whose last moment had position `after` has missed.
 */
export async function listMomentsInLog(
  db: Database,
  q: { after: number; before?: number; streamerId?: string; kinds?: readonly DetectorKind[]; limit: number },
): Promise<Moment[]> {
  const where = [gt(moments.position, q.after)];
  if (q.before !== undefined) where.push(lt(moments.position, q.before));
  if (q.streamerId !== undefined) where.push(eq(moments.streamerId, q.streamerId));
  if (q.kinds !== undefined) where.push(inArray(moments.kind, [...q.kinds]));
  const rows = await db
    .select()
    .from(moments)
    .where(and(...where))
    .orderBy(asc(moments.position))
    .limit(q.limit);
  return rows.map(rowToMoment);
}
