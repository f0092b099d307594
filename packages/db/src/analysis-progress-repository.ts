import type { Moment } from "@emote/contracts";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import { momentToRow } from "./moment-rows.ts";
import { consumerCheckpoints, moments, streamerProgress, type PendingCounts } from "./schema.ts";

export interface StreamerProgress {
  streamerId: string;
  batchSeq: number;
  pendingCount: number;
  pendingCounts: PendingCounts;
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
}

/** Postgres allows 65,535 bind parameters per statement; moments take 7 each. */
const INSERT_CHUNK = 5_000;

export async function loadCheckpoint(
  db: Database,
  groupId: string,
  topic: string,
  partition: number,
): Promise<bigint | null> {
  const rows = await db
    .select({ nextOffset: consumerCheckpoints.nextOffset })
    .from(consumerCheckpoints)
    .where(
      and(
        eq(consumerCheckpoints.groupId, groupId),
        eq(consumerCheckpoints.topic, topic),
        eq(consumerCheckpoints.partition, partition),
      ),
    );
  return rows[0]?.nextOffset ?? null;
}

export async function loadStreamerProgress(
  db: Database,
  groupId: string,
  streamerIds: string[],
): Promise<StreamerProgress[]> {
  if (streamerIds.length === 0) return [];
  return db
    .select({
      streamerId: streamerProgress.streamerId,
      batchSeq: streamerProgress.batchSeq,
      pendingCount: streamerProgress.pendingCount,
      pendingCounts: streamerProgress.pendingCounts,
    })
    .from(streamerProgress)
    .where(and(eq(streamerProgress.groupId, groupId), inArray(streamerProgress.streamerId, streamerIds)));
}

/**
 * Stores moments (by id: a replayed moment is a no-op), the streamers' open batches and
 * the partition checkpoint in one transaction: either all of a batch's effects are
 * durable or none are.
 */
export async function commitAnalysis(db: Database, c: AnalysisCommit): Promise<void> {
  await db.transaction(async (tx) => {
    for (let i = 0; i < c.moments.length; i += INSERT_CHUNK) {
      await tx
        .insert(moments)
        .values(c.moments.slice(i, i + INSERT_CHUNK).map(momentToRow))
        .onConflictDoNothing({ target: moments.id });
    }
    if (c.streamers.length > 0) {
      await tx
        .insert(streamerProgress)
        .values(c.streamers.map((s) => ({ groupId: c.groupId, ...s })))
        .onConflictDoUpdate({
          target: [streamerProgress.groupId, streamerProgress.streamerId],
          set: {
            batchSeq: sql`excluded.batch_seq`,
            pendingCount: sql`excluded.pending_count`,
            pendingCounts: sql`excluded.pending_counts`,
            updatedAt: sql`now()`,
          },
        });
    }
    await tx
      .insert(consumerCheckpoints)
      .values({ groupId: c.groupId, topic: c.topic, partition: c.partition, nextOffset: c.nextOffset })
      .onConflictDoUpdate({
        target: [consumerCheckpoints.groupId, consumerCheckpoints.topic, consumerCheckpoints.partition],
        set: { nextOffset: c.nextOffset, updatedAt: sql`now()` },
      });
  });
}
