import { DEFAULT_SETTINGS, type AnalysisSettings, type SurgeSettings } from "@emote/contracts";
import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import {
  DEFAULTS_ROW_ID,
  settingsAudit,
  streamerSettings,
  streamers,
  type StreamerSettingsRow,
} from "./schema.ts";

function toSettings(row: StreamerSettingsRow): AnalysisSettings {
  return {
    interval: row.interval,
    threshold: row.threshold,
    allowedEmotes: row.allowedEmotes,
    detectors: row.detectors,
    surge: row.surge,
  };
}

/** Settings of every streamer with a row, and the defaults for everyone else. */
export interface SettingsSnapshot {
  defaults: AnalysisSettings;
  byStreamer: Map<string, AnalysisSettings>;
}

export async function loadSettingsSnapshot(db: Database): Promise<SettingsSnapshot> {
  const rows = await db.select().from(streamerSettings);
  const snapshot: SettingsSnapshot = { defaults: DEFAULT_SETTINGS, byStreamer: new Map() };
  for (const row of rows) {
    if (row.streamerId === DEFAULTS_ROW_ID) snapshot.defaults = toSettings(row);
    else snapshot.byStreamer.set(row.streamerId, toSettings(row));
  }
  return snapshot;
}

/** The settings that apply to a streamer: its own row, else the defaults row, else DEFAULT_SETTINGS. */
export async function getEffectiveSettings(db: Database, streamerId: string): Promise<AnalysisSettings> {
  const rows = await db
    .select()
    .from(streamerSettings)
    .where(eq(streamerSettings.streamerId, streamerId))
    .union(db.select().from(streamerSettings).where(eq(streamerSettings.streamerId, DEFAULTS_ROW_ID)));
  const own = rows.find((r) => r.streamerId === streamerId);
  const defaults = rows.find((r) => r.streamerId === DEFAULTS_ROW_ID);
  if (own) return toSettings(own);
  return defaults ? toSettings(defaults) : DEFAULT_SETTINGS;
}

/**
 * The rows of these streamers (DEFAULTS_ROW_ID for the defaults), in one query: what a
 * worker reloads when those were announced as changed. A streamer missing from the result
 * has no row (any more).
 */
export async function loadStreamerSettings(
  db: Database,
  streamerIds: readonly string[],
): Promise<Map<string, AnalysisSettings>> {
  const found = new Map<string, AnalysisSettings>();
  if (streamerIds.length === 0) return found;
  const rows = await db
    .select()
    .from(streamerSettings)
    .where(inArray(streamerSettings.streamerId, [...streamerIds]));
  for (const row of rows) found.set(row.streamerId, toSettings(row));
  return found;
}

/** A change to settings: the fields given replace theirs; `surge` changes only the knobs it names. */
export type SettingsPatch = Partial<Omit<AnalysisSettings, "surge">> & { surge?: Partial<SurgeSettings> };

/** Who makes a change, for the audit log. */
export interface SettingsActor {
  /** The token's subject (the caller's role when the token names none). */
  sub: string;
  role: string;
  requestId: string;
}

/** Second key of the per-streamer advisory lock (first key: this namespace). */
const SETTINGS_LOCK_NAMESPACE = 0x5e77;

/**
 * Writes a streamer's settings (missing fields keep their effective value) and, with an
 * actor, its audit row (before and after), in one transaction; a streamer with settings
 * of its own exists (it is registered in the same transaction). The table's trigger
 * announces the change on SETTINGS_CHANNEL. Changes to one streamer are serialised, so
 * each audit row's `before` is the previous row's `after`.
 */
export async function saveSettings(
  db: Database,
  streamerId: string,
  patch: SettingsPatch,
  actor?: SettingsActor,
): Promise<AnalysisSettings> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETTINGS_LOCK_NAMESPACE}, hashtext(${streamerId}))`);
    const before = await getEffectiveSettings(tx, streamerId);
    const next: AnalysisSettings = { ...before, ...patch, surge: { ...before.surge, ...patch.surge } };
    if (streamerId !== DEFAULTS_ROW_ID) {
      await tx
        .insert(streamers)
        .values({ streamerId, createdBy: actor?.sub ?? null })
        .onConflictDoNothing();
    }
    await tx
      .insert(streamerSettings)
      .values({ streamerId, ...next })
      .onConflictDoUpdate({
        target: streamerSettings.streamerId,
        set: { ...next, updatedAt: new Date() },
      });
    if (actor) {
      await tx.insert(settingsAudit).values({
        streamerId,
        actorSub: actor.sub,
        actorRole: actor.role,
        requestId: actor.requestId,
        before,
        after: next,
      });
    }
    return next;
  });
}
