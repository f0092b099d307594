import type { Moment } from "@emote/contracts";
import { and, asc, desc, eq, gt, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { rowToMoment } from "./moment-rows.ts";
import { moments } from "./schema.ts";

export interface MomentQuery {
  streamerId?: string;
  emote?: string;
  /** Window start at or after. */
  from?: Date;
  /** Window start before. */
  to?: Date;
  /** Keyset: only moments strictly older than this (window start, then id). */
  before?: { windowStart: Date; id: string };
  limit: number;
}

/**
 * Moments newest first (window start, then id, both descending), so pages follow each
 * other on the (streamer_id, window_start, id) and (window_start, id) indexes without
 * OFFSET. Returns one row more than asked when there is a next page.
 */
export async function listMoments(db: Database, q: MomentQuery): Promise<Moment[]> {
  const where: SQL[] = [];
  if (q.streamerId !== undefined) where.push(eq(moments.streamerId, q.streamerId));
  if (q.emote !== undefined) where.push(eq(moments.emote, q.emote));
  if (q.from !== undefined) where.push(gte(moments.windowStart, q.from));
  if (q.to !== undefined) where.push(lt(moments.windowStart, q.to));
  if (q.before !== undefined) {
    where.push(
      sql`(${moments.windowStart}, ${moments.id}) < (${q.before.windowStart.toISOString()}::timestamptz, ${q.before.id})`,
    );
  }
  const rows = await db
    .select()
    .from(moments)
    .where(and(...where))
    .orderBy(desc(moments.windowStart), desc(moments.id))
    .limit(q.limit + 1);
  return rows.map(rowToMoment);
}

/**
 * Moments stored after the one with id `afterId` (in insertion order), optionally of one
 * streamer: what a live subscriber that saw `afterId` last has missed. Unknown id → none
 * (its moment is not stored yet, so neither is anything after it).
 */
export async function listMomentsAfter(
  db: Database,
  q: { afterId: string; streamerId?: string; limit: number },
): Promise<Moment[]> {
  const [last] = await db.select({ seq: moments.seq }).from(moments).where(eq(moments.id, q.afterId));
  if (!last) return [];
  const where = [gt(moments.seq, last.seq)];
  if (q.streamerId !== undefined) where.push(eq(moments.streamerId, q.streamerId));
  const rows = await db
    .select()
    .from(moments)
    .where(and(...where))
    .orderBy(asc(moments.seq))
    .limit(q.limit);
  return rows.map(rowToMoment);
}
