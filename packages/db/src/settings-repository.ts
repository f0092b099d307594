import { DEFAULT_SETTINGS, type AnalysisSettings } from "@emote/contracts";
import { eq } from "drizzle-orm";
import type { Database } from "./client.ts";
import { DEFAULTS_ROW_ID, streamerSettings, type StreamerSettingsRow } from "./schema.ts";

function toSettings(row: StreamerSettingsRow): AnalysisSettings {
  return { interval: row.interval, threshold: row.threshold, allowedEmotes: row.allowedEmotes };
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

/** The settings that apply to a streamer: its own row, else the defaults row. */
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
 * Writes a streamer's settings (missing fields keep their effective value) in one
 * statement; the table's trigger announces the change on SETTINGS_CHANNEL.
 */
export async function saveSettings(
  db: Database,
  streamerId: string,
  patch: Partial<AnalysisSettings>,
): Promise<AnalysisSettings> {
  return db.transaction(async (tx) => {
    const next = { ...(await getEffectiveSettings(tx, streamerId)), ...patch };
    await tx
      .insert(streamerSettings)
      .values({ streamerId, ...next })
      .onConflictDoUpdate({
        target: streamerSettings.streamerId,
        set: { ...next, updatedAt: new Date() },
      });
    return next;
  });
}
