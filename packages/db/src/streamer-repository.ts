import { ne } from "drizzle-orm";
import type { Database } from "./client.ts";
import { DEFAULTS_ROW_ID, streamerProgress, streamerSettings } from "./schema.ts";

/** Streamers the system knows: any with settings of their own or with analysed emotes. */
export async function listStreamerIds(db: Database): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: streamerProgress.streamerId })
    .from(streamerProgress)
    .union(
      db
        .select({ id: streamerSettings.streamerId })
        .from(streamerSettings)
        .where(ne(streamerSettings.streamerId, DEFAULTS_ROW_ID)),
    );
  return rows.map((r) => r.id).sort();
}
