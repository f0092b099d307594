import { groupMembershipCheck, type Bus, type BusConsumer } from "@emote/bus";
import type { TrendingBoard } from "@emote/contracts";
import {
  commitMerge,
  commitTrendingPartials,
  databaseCheck,
  loadMergeState,
  loadTrendingCheckpoint,
  loadTrendingStreamerMinutes,
  TrendingSupersededError,
  type DatabaseConnection,
} from "@emote/db";
import { errorMessage, type Observability } from "@emote/observability";
import { VIEWERS_KEPT_MS, type MergeLimits } from "./merge-state.ts";
import { MergeStage } from "./merge-stage.ts";
import { PartialsStage } from "./partials-stage.ts";
import { TrendingMetrics } from "./trending-metrics.ts";

export type TrendingRole = "partials" | "merge" | "all";

export interface TrendingOptions {
  /** Which steps this process runs: any number run the partial step; one at a time merges (the others stand by). */
  role: TrendingRole;
  /** Group ids: `<groupId>-partials` and `<groupId>-merge`; also the key of their PostgreSQL state. */
  groupId: string;
  sessionTimeoutMs: number;
  concurrency?: number;
  boardIntervalMs?: number;
  limits?: MergeLimits;
  /** Each board the merge publishes (benchmarks). */
  published?: (board: TrendingBoard) => void;
}

export interface RunningTrending {
  /** Settles if a consumer stops for good: the process should exit non-zero. */
  stopped: Promise<Error>;
  /** What it holds: streamer-minutes of the partial step, entries of the merge (the memory bound). */
  held(): { streamerMinutes: number; mergeEntries: number };
  stop(): Promise<void>;
}

/** Partial-step batches wait up to this long for more records: fewer, larger commits. */
const FETCH_WAIT_MS = 50;

/**
 * The trending stage on a bus and a database (topics created, database migrated): the
 * partial step over `emote-window-stats` and `aggregated-emote-data`, and the merge over
 * `trending-partials`, each its own consumer group, state in PostgreSQL.
 */
export async function runTrending(
  { bus, conn }: { bus: Bus; conn: DatabaseConnection },
  opts: TrendingOptions,
  obs: Observability,
): Promise<RunningTrending> {
  const log = obs.log.child({ component: "trending" });
  const producer = await bus.producer();
  const consumers: BusConsumer[] = [];
  const isSuperseded = (err: unknown) => err instanceof TrendingSupersededError;
  let partials: PartialsStage | undefined;
  let merge: MergeStage | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  const metrics = new TrendingMetrics(obs.registry, () => ({
    streamerMinutes: partials?.size() ?? 0,
    mergeEntries: merge?.entries() ?? 0,
  }));
  /**
   * One stage's consumer group. Offsets commit on a timer: the stage's stored state says what
   * is applied (the partial step's checkpoint, the merge's (source, seq)), so replays are skipped.
   */
  const runStage = async (
    stage: PartialsStage | MergeStage,
    groupId: string,
    topics: string[],
    concurrency: number,
  ): Promise<void> => {
    const consumer = await bus.consumer({
      groupId,
      topics,
      fromBeginning: true,
      concurrency,
      sessionTimeoutMs: opts.sessionTimeoutMs,
      commitIntervalMs: 1_000,
      fetchWaitMs: FETCH_WAIT_MS,
    });
    consumers.push(consumer);
    consumer.onRebalance(() => stage.reset());
    obs.readiness.add(groupMembershipCheck(bus, consumer, groupId));
    await consumer.run((batch, control) => stage.handle(batch, control));
  };
  try {
    if (opts.role !== "merge") {
      const groupId = `${opts.groupId}-partials`;
      const stage = new PartialsStage({
        topics: bus.topics,
        producer,
        log,
        metrics,
        store: {
          loadCheckpoint: (topic, partition) => loadTrendingCheckpoint(conn.db, groupId, topic, partition),
          loadMinutes: (topic, partition) => loadTrendingStreamerMinutes(conn.db, groupId, topic, partition),
          commit: (c) => commitTrendingPartials(conn.db, { groupId, ...c }),
          isSuperseded,
        },
      });
      // Batches of several partitions commit to PostgreSQL at once.
      await runStage(stage, groupId, [bus.topics.stats, bus.topics.aggregated], opts.concurrency ?? 4);
      partials = stage;
    }
    if (opts.role !== "partials") {
      const groupId = `${opts.groupId}-merge`;
      const stage = new MergeStage({
        topics: bus.topics,
        producer,
        log,
        metrics,
        ...(opts.limits && { limits: opts.limits }),
        ...(opts.boardIntervalMs !== undefined && { boardIntervalMs: opts.boardIntervalMs }),
        ...(opts.published && { published: opts.published }),
        store: {
          load: () => loadMergeState(conn.db, groupId, VIEWERS_KEPT_MS),
          commit: (c) => commitMerge(conn.db, { groupId, ...c }),
          isSuperseded,
        },
      });
      await runStage(stage, groupId, [bus.topics.trendingPartials], 1);
      merge = stage;
      const interval = opts.boardIntervalMs ?? 1_000;
      flushTimer = setInterval(() => {
        stage.flush().catch((err: unknown) => log.warn({ err: errorMessage(err) }, "board not published"));
      }, interval);
    }
    obs.readiness.add(databaseCheck(conn));
  } catch (err) {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
  const stopped = Promise.race(consumers.map((c) => new Promise<Error>((resolve) => c.onStopped(resolve))));
  return {
    stopped,
    held: () => ({ streamerMinutes: partials?.size() ?? 0, mergeEntries: merge?.entries() ?? 0 }),
    async stop() {
      clearInterval(flushTimer);
      await Promise.all(consumers.map((c) => c.disconnect()));
      await merge
        ?.flush()
        .catch((err: unknown) => log.warn({ err: errorMessage(err) }, "last board not published"));
      await producer.disconnect();
    },
  };
}
