import { asc, eq, gt } from "drizzle-orm";
import type { Database } from "./client.ts";
import { streamers } from "./schema.ts";

/**
 * Creates a streamer; true when it is new, false when it existed already (creating is
 * idempotent: a retried call is not an error).
 */
export async function createStreamer(db: Database, streamerId: string, createdBy: string): Promise<boolean> {
  const rows = await db
    .insert(streamers)
    .values({ streamerId, createdBy })
    .onConflictDoNothing()
    .returning({ streamerId: streamers.streamerId });
  return rows.length > 0;
}

export async function streamerExists(db: Database, streamerId: string): Promise<boolean> {
  const rows = await db
    .select({ streamerId: streamers.streamerId })
    .from(streamers)
    .where(eq(streamers.streamerId, streamerId));
  return rows.length > 0;
}

/** One page of streamer ids in id order, those after `after` (keyset: as cheap on page 1,000 as on page 1). */
export async function listStreamerIds(
  db: Database,
  page: { after?: string | undefined; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ streamerId: streamers.streamerId })
    .from(streamers)
    .where(page.after === undefined ? undefined : gt(streamers.streamerId, page.after))
    .orderBy(asc(streamers.streamerId))
    .limit(page.limit);
  return rows.map((r) => r.streamerId);
}

/** Every streamer id: what a gateway loads when it starts following the streamers. */
export async function loadStreamerIds(db: Database): Promise<Set<string>> {
  const rows = await db.select({ streamerId: streamers.streamerId }).from(streamers);
  return new Set(rows.map((r) => r.streamerId));
}
