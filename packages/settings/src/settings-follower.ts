import {
  FULL_RELOAD_PAYLOAD,
  SETTINGS_CHANNEL,
  loadSettingsSnapshot,
  loadStreamerSettings,
  type DatabaseConnection,
} from "@emote/db";
import type { SettingsCache } from "./settings-cache.ts";
import {
  DEFAULT_RELOAD_OPTIONS,
  SettingsReloader,
  type ReloadOptions,
  type ReloadScope,
} from "./settings-reloads.ts";

/**
 * Keeps the cache equal to the settings table: the table's trigger NOTIFYs each change
 * with the streamer's id, and only the streamers named are reloaded (a burst in one
 * query); each (re)connection of the LISTEN session reloads everything, so a change made
 * while disconnected is not missed, and so does the truncate payload.
 */
export async function followSettings(
  conn: DatabaseConnection,
  cache: SettingsCache,
  on: { reloaded: (scope: ReloadScope) => void; failed: (err: Error) => void },
  opts: ReloadOptions = DEFAULT_RELOAD_OPTIONS,
): Promise<{ stop(): Promise<void> }> {
  const reloader = new SettingsReloader(
    {
      all: () => loadSettingsSnapshot(conn.db),
      streamers: (ids) => loadStreamerSettings(conn.db, ids),
    },
    cache,
    { reloaded: (scope) => on.reloaded(scope), failed: on.failed },
    opts,
  );
  const listening = await conn.listen(
    SETTINGS_CHANNEL,
    (payload) => {
      if (payload === FULL_RELOAD_PAYLOAD) reloader.everythingChanged();
      else reloader.streamerChanged(payload);
    },
    () => reloader.everythingChanged(),
  );
  return {
    async stop() {
      await listening.unlisten();
      await reloader.stop();
    },
  };
}
