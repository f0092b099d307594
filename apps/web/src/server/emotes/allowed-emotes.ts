import type { AllowedEmotes } from "@emote/api";
import { loadSettingsSnapshot, type DatabaseConnection } from "@emote/db";
import { SettingsCache, followSettings, followStreamers } from "@emote/settings";

export interface FollowedAllowedEmotes {
  /** The streamer's allowed emotes, or null when no such streamer exists: from memory. */
  of(streamerId: string): AllowedEmotes;
  stop(): Promise<void>;
}

const RETRY_MS = 1_000;

/**
 * Each streamer's allowed emotes as the gateway checks emotes.send against them: the
 * settings and the streamers that exist, both kept in memory by the tables' NOTIFYs (the
 * same follower as the worker's), so a change or a new streamer applies within a second
 * and no emote costs a query. Ids that do not exist take no memory.
 *
 * A database that does not answer at start does not stop the gateway (its readiness says
 * so): following starts again every second, and until it has, emotes.send fails as it
 * would on any database error rather than answer NOT_FOUND from an empty memory.
 */
export async function followAllowedEmotes(
  conn: DatabaseConnection,
  on: { failed: (err: Error) => void },
): Promise<FollowedAllowedEmotes> {
  let followed: FollowedAllowedEmotes | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let starting: Promise<void> = Promise.resolve();
  const start = async (): Promise<void> => {
    try {
      const started = await startFollowing(conn, on);
      if (stopped) await started.stop();
      else followed = started;
    } catch (err) {
      on.failed(err as Error);
      if (!stopped)
        retry = setTimeout(() => {
          starting = start();
        }, RETRY_MS);
    }
  };
  starting = start();
  await starting;
  return {
    of(streamerId) {
      if (!followed)
        throw new Error("the streamers' settings are not loaded yet: PostgreSQL has not answered");
      return followed.of(streamerId);
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await starting;
      await followed?.stop();
    },
  };
}

async function startFollowing(
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
