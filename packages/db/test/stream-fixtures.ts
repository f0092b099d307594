import type { Moment, SurgeFields } from "@emote/contracts";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../src/client.ts";
import { momentLog, moments, streamIntensity, streams, type LeadingEmotes } from "../src/schema.ts";

/**
 * What tests of the reading side (API, dashboard) put in the tables the worker writes: a
 * stream, its 10 s intensity buckets and its moments of either kind, as the worker would
 * store them (moments numbered in the moment log).
 */

export interface StreamFixture {
  id: string;
  streamerId: string;
  startedAt: Date;
  lastEmoteAt: Date;
  emotes: number;
}

export async function insertStream(db: Database, s: StreamFixture): Promise<void> {
  await db.insert(streams).values(s);
}

export interface BucketFixture {
  bucketStart: Date;
  emotes: number;
  viewers: number;
  leading: LeadingEmotes;
}

export async function insertIntensity(
  db: Database,
  stream: { id: string; streamerId: string },
  buckets: BucketFixture[],
): Promise<void> {
  if (buckets.length === 0) return;
  await db
    .insert(streamIntensity)
    .values(buckets.map((b) => ({ ...b, streamId: stream.id, streamerId: stream.streamerId })));
}

/** A surge moment of `streamerId`: onset, decision and end as given, the rest plausible. */
export function surgeMoment(
  id: string,
  streamerId: string,
  emote: string,
  fields: Partial<SurgeFields> & Pick<SurgeFields, "startedAt">,
): Moment {
  const startedAt = new Date(fields.startedAt);
  const minute = new Date(Math.floor(startedAt.getTime() / 60_000) * 60_000);
  return {
    id,
    streamerId,
    emote,
    timestamp: minute.toISOString(),
    count: 40,
    total: 60,
    ratio: 40 / 60,
    kind: "surge",
    surge: {
      detectedAt: new Date(startedAt.getTime() + 2_000).toISOString(),
      peakRate: 5,
      baselineRate: 0.5,
      score: 6,
      viewers: 12,
      ...fields,
    },
  };
}

/** Stores moments (surge fields included) at the end of the moment log; returns them with their positions. */
export async function storeMoments(db: Database, list: Moment[]): Promise<Moment[]> {
  return db.transaction(async (tx) => {
    const [log] = await tx.select().from(momentLog).where(eq(momentLog.id, 1)).for("update");
    const first = (log?.lastPosition ?? 0) + 1;
    const stored = list.map((m, i) => ({ ...m, position: first + i }));
    if (stored.length === 0) return stored;
    await tx.insert(moments).values(
      stored.map((m) => ({
        id: m.id,
        streamerId: m.streamerId,
        emote: m.emote,
        windowStart: new Date(m.timestamp),
        count: m.count,
        total: m.total,
        ratio: m.ratio,
        position: m.position,
        kind: m.kind ?? "threshold",
        ...(m.surge && {
          startedAt: new Date(m.surge.startedAt),
          decidedAt: new Date(m.surge.detectedAt),
          endedAt: m.surge.endedAt === undefined ? null : new Date(m.surge.endedAt),
          peakRate: m.surge.peakRate,
          baselineRate: m.surge.baselineRate,
          score: m.surge.score,
          viewers: m.surge.viewers,
        }),
      })),
    );
    await tx
      .update(momentLog)
      .set({ lastPosition: sql`greatest(${momentLog.lastPosition}, ${first + stored.length - 1})` })
      .where(eq(momentLog.id, 1));
    return stored;
  });
}
