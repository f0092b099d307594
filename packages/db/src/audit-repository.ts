import type { AnalysisSettings } from "@emote/contracts";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { settingsAudit } from "./schema.ts";

export interface SettingsChange {
  id: number;
  streamerId: string;
  actor: { sub: string; role: string };
  requestId: string;
  before: AnalysisSettings;
  after: AnalysisSettings;
  /** ISO-8601 UTC. */
  changedAt: string;
}

export interface SettingsAuditQuery {
  streamerId?: string;
  /** Keyset: only changes older than the one with this id. */
  beforeId?: number;
  limit: number;
}

/**
 * Settings changes newest first (by id), a page at a time on the primary key or the
 * (streamer_id, id) index without OFFSET. Returns one row more than asked when there is
 * a next page.
 */
export async function listSettingsChanges(db: Database, q: SettingsAuditQuery): Promise<SettingsChange[]> {
  const where: SQL[] = [];
  if (q.streamerId !== undefined) where.push(eq(settingsAudit.streamerId, q.streamerId));
  if (q.beforeId !== undefined) where.push(lt(settingsAudit.id, q.beforeId));
  const rows = await db
    .select()
    .from(settingsAudit)
    .where(and(...where))
    .orderBy(desc(settingsAudit.id))
    .limit(q.limit + 1);
  return rows.map((r) => ({
    id: r.id,
    streamerId: r.streamerId,
    actor: { sub: r.actorSub, role: r.actorRole },
    requestId: r.requestId,
    before: r.before,
    after: r.after,
    changedAt: r.changedAt.toISOString(),
  }));
}
