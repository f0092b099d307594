import type { AllowedEmotes } from "@emote/api";
import { loadSettingsSnapshot, type DatabaseConnection } from "@emote/db";
import { SettingsCache, followSettings, followStreamers } from "@emote/settings";

export interface FollowedAllowedEmotes {
  /** The streamer's allowed emotes, or null when no such streamer exists: from memory. */
  of(streamerId: string): AllowedEmotes;
  stop(): Promise<void>;
}

/**
 * Each streamer's allowed emotes as the gateway checks emotes.send against them: the
 * settings and the streamers that exist, both kept in memory by the tables' NOTIFYs (the
 * same follower as the worker's), so a change or a new streamer applies within a second
 * and no emote costs a query. Ids that do not exist take no memory.
 */
export async function followAllowedEmotes(
  conn: DatabaseConnection,
  on: { failed: (err: Error) => void },
): Promise<FollowedAllowedEmotes> {
  const settings = new SettingsCache(await loadSettingsSnapshot(conn.db));
  const streamers = await followStreamers(conn, on);
  try {
    const following = await followSettings(conn, settings, { reloaded: () => undefined, failed: on.failed });
    return {
      of: (streamerId) => (streamers.has(streamerId) ? settings.for(streamerId).allowedEmotes : null),
      async stop() {
        await Promise.all([following.stop(), streamers.stop()]);
      },
    };
  } catch (err) {
    await streamers.stop();
    throw err;
  }
}
