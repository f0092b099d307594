import { kafkaBrokers } from "@emote/config";
import { assertKafkaReachable, createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus } from "@emote/bus";
import {
  commitAnalysis,
  connectDatabase,
  loadCheckpoint,
  loadSettingsSnapshot,
  loadStreamerProgress,
  type DatabaseConnection,
} from "@emote/db";
import type { WorkerEnv } from "./env.ts";
import { PartitionProcessor, newCounters, type WorkerCounters } from "./partition-processor.ts";
import { inlineParser } from "./parse-batch.ts";
import { threadParser } from "./parse-thread.ts";
import { SettingsCache } from "./settings-cache.ts";
import { followSettings } from "./settings-follower.ts";

export interface RunningWorker {
  counters: WorkerCounters;
  settingsReloads(): number;
  /** Drains the batch in flight, commits, and closes every connection. */
  stop(): Promise<void>;
}

export type Log = (line: string) => void;

/** How often quiet streamers' due window stats are sent (the contract's throttle is 1 s). */
const STATS_TICK_MS = 1000;

export interface WorkerOptions {
  groupId: string;
  concurrency: number;
  sessionTimeoutMs: number;
  parseThread: boolean;
}

/** The worker's distributed-mode process: Kafka and PostgreSQL from the environment. */
export async function startWorker(env: WorkerEnv, log: Log): Promise<RunningWorker> {
  const brokers = kafkaBrokers(env);
  await assertKafkaReachable(brokers);
  const bus = kafkaBus(createKafka({ brokers, clientId: "emote-worker" }), {
    partitions: env.KAFKA_PARTITIONS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
  await bus.ensureTopics();
  const conn = connectDatabase(env.DATABASE_URL);
  await conn.migrate();
  const worker = await runWorker(
    { bus, conn },
    {
      groupId: env.WORKER_GROUP_ID,
      concurrency: env.WORKER_CONCURRENCY,
      sessionTimeoutMs: env.WORKER_SESSION_TIMEOUT_MS,
      parseThread: env.WORKER_PARSE_THREAD,
    },
    log,
  );
  log(`worker consuming ${bus.topics.raw} as group ${env.WORKER_GROUP_ID} (brokers ${brokers.join(",")})`);
  return {
    ...worker,
    async stop() {
      await worker.stop();
      await conn.close();
    },
  };
}

/**
 * Wires a bus and a database (topics created, database migrated) to the analysis and
 * starts consuming. The caller owns the bus and the database connection.
 */
export async function runWorker(
  { bus, conn }: { bus: Bus; conn: DatabaseConnection },
  opts: WorkerOptions,
  log: Log,
): Promise<RunningWorker> {
  const settings = new SettingsCache(await loadSettingsSnapshot(conn.db));
  const follower = await followSettings(conn, settings, (err) =>
    log(`settings reload failed: ${err.message}`),
  );
  const producer = await bus.producer();
  const counters = newCounters();
  const parser = opts.parseThread ? threadParser() : inlineParser;
  const groupId = opts.groupId;
  const processor = new PartitionProcessor({
    topics: bus.topics,
    producer,
    settings,
    counters,
    parser,
    store: {
      loadCheckpoint: (topic, partition) => loadCheckpoint(conn.db, groupId, topic, partition),
      loadStreamers: (ids) => loadStreamerProgress(conn.db, groupId, ids),
      commit: (c) => commitAnalysis(conn.db, { groupId, ...c }),
    },
  });
  const consumer = await bus.consumer({
    groupId,
    topics: [bus.topics.raw],
    fromBeginning: true,
    concurrency: opts.concurrency,
    sessionTimeoutMs: opts.sessionTimeoutMs,
  });
  consumer.onRebalance(() => processor.reset());
  await consumer.run((batch, control) => processor.handle(batch, control));

  // Batches carry the window stats due; this sends those of streamers that went quiet
  // (their last counts were held back by the once-a-second throttle). Best effort.
  let statsInFlight: Promise<void> | undefined;
  const statsTimer = setInterval(() => {
    if (statsInFlight) return;
    statsInFlight = processor
      .publishStats()
      .then(
        () => undefined,
        (err: Error) => log(`window stats not published: ${err.message}`),
      )
      .finally(() => {
        statsInFlight = undefined;
      });
  }, STATS_TICK_MS);

  return {
    counters,
    settingsReloads: follower.reloads,
    async stop() {
      clearInterval(statsTimer);
      await statsInFlight;
      await consumer.disconnect();
      // The last counts of the batches just drained, whatever the throttle.
      await processor.publishStats({ all: true }).catch((err: Error) => {
        log(`window stats not published: ${err.message}`);
      });
      await parser.close();
      await producer.disconnect();
      await follower.stop();
    },
  };
}
