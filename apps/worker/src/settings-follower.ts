import { SETTINGS_CHANNEL, loadSettingsSnapshot, type DatabaseConnection } from "@emote/db";
import type { SettingsCache } from "./settings-cache.ts";

/**
 * Keeps the cache equal to the settings table: the table's trigger NOTIFYs on every
 * change, and each (re)connection of the LISTEN session reloads too, so a change made
 * while disconnected is not missed. Reloads coalesce: a burst of changes costs one or two.
 */
export async function followSettings(
  conn: DatabaseConnection,
  cache: SettingsCache,
  on: { reloaded: () => void; failed: (err: Error) => void },
): Promise<{ stop(): Promise<void> }> {
  let running: Promise<void> | null = null;
  let pending = false;
  const reload = (): void => {
    if (running) {
      pending = true;
      return;
    }
    running = (async () => {
      do {
        pending = false;
        cache.replace(await loadSettingsSnapshot(conn.db));
        on.reloaded();
      } while (pending);
    })()
      .catch((err: Error) => on.failed(err))
      .finally(() => {
        running = null;
      });
  };
  const listening = await conn.listen(SETTINGS_CHANNEL, reload, reload);
  return {
    async stop() {
      await listening.unlisten();
      await running;
    },
  };
}
