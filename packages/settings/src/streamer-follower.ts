import { FULL_RELOAD_PAYLOAD, STREAMERS_CHANNEL, loadStreamerIds, type DatabaseConnection } from "@emote/db";

/** The streamers that exist, as the streamers table's NOTIFYs keep them. */
export interface KnownStreamers {
  has(streamerId: string): boolean;
}

/**
 * Keeps a set equal to the streamers table: a creation is announced with the id, which is
 * added without a query; each (re)connection of the LISTEN session and each removal reload
 * every id (one reload at a time, retried after `retryMs` while the database is away).
 * Resolves once the ids are loaded, so no existing streamer is refused at start.
 */
export async function followStreamers(
  conn: DatabaseConnection,
  on: { failed: (err: Error) => void },
  opts: { retryMs: number } = { retryMs: 1_000 },
): Promise<KnownStreamers & { stop(): Promise<void> }> {
  let known = await loadStreamerIds(conn.db);
  /** Ids announced while a reload runs: its result may predate them. */
  let announcedDuringReload: string[] | undefined;
  let wanted = false;
  let running: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const reload = (): void => {
    wanted = true;
    if (running || retry || stopped) return;
    running = (async () => {
      while (wanted && !stopped) {
        wanted = false;
        announcedDuringReload = [];
        try {
          const ids = await loadStreamerIds(conn.db);
          for (const id of announcedDuringReload) ids.add(id);
          known = ids;
        } catch (err) {
          on.failed(err as Error);
          // Not in a tight loop while the database is away.
          retry = setTimeout(() => {
            retry = undefined;
            reload();
          }, opts.retryMs);
          retry.unref();
          wanted = false;
        } finally {
          announcedDuringReload = undefined;
        }
      }
    })().finally(() => (running = undefined));
  };

  const listening = await conn.listen(
    STREAMERS_CHANNEL,
    (payload) => {
      if (payload === FULL_RELOAD_PAYLOAD) return reload();
      known.add(payload);
      announcedDuringReload?.push(payload);
    },
    reload,
  );
  return {
    has: (streamerId) => known.has(streamerId),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await listening.unlisten();
      await running;
    },
  };
}
