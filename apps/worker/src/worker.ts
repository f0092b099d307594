import { kafkaBrokers } from "@emote/config";
import { openKafkaBusFromEnv } from "@emote/bus/kafka";
import { groupMembershipCheck, type Bus } from "@emote/bus";
import {
  commitAnalysis,
  openMigratedDatabase,
  databaseCheck,
  isDataError,
  isTransientDatabaseError,
  loadCheckpoint,
  dropEarlierLogCheckpoint,
  loadLastCommittedMoments,
  loadSettingsSnapshot,
  loadStreamerProgress,
  type DatabaseConnection,
} from "@emote/db";
import { timestampWindow } from "@emote/contracts";
import { withDeadline } from "@emote/lifecycle";
import {
  errorMessage,
  kafkaLogging,
  startProbeServer,
  type Observability,
  type ProbeServer,
} from "@emote/observability";
import { followSettings, SettingsCache } from "@emote/settings";
import type { TimelineEnv, WorkerEnv } from "./env.ts";
import { DEFAULT_INTENSITY_RETENTION_DAYS, IntensityRetention } from "./timeline/intensity-retention.ts";
import { PartitionProcessor } from "./partition-processor.ts";
import { inlineParser } from "./parse-batch.ts";
import { threadParser } from "./parse-thread.ts";
import { inlineSurgeStage } from "./surge-stage.ts";
import { threadSurgeStage } from "./surge-thread.ts";
import { WorkerMetrics } from "./worker-metrics.ts";

export interface RunningWorker {
  /** The worker's metrics (also on the process registry); `totals()` reads the counters. */
  metrics: WorkerMetrics;
  /** The settings the next batch of each streamer is analysed with (as the worker has them now). */
  settings: Pick<SettingsCache, "for">;
  /**
   * Settles with the error if the consumer stops for good (it will not restart by
   * itself): the process should then exit non-zero, see `runUntilStopped`. Never
   * settles otherwise.
   */
  stopped: Promise<Error>;
  /** Drains the batch in flight, commits, and closes every connection. */
  stop(): Promise<void>;
}

export interface StartedWorker extends RunningWorker {
  /** /metrics, /healthz and /readyz on METRICS_HOST:METRICS_PORT. */
  probes: ProbeServer;
}

/** How often quiet streamers' due window stats are sent (the contract's throttle is 1 s). */
const STATS_TICK_MS = 1000;
/** How often processed offsets are committed to the consumer group (a crash replays at most this). */
const GROUP_COMMIT_INTERVAL_MS = 1000;
/**
 * How long a fetch waits for more records: each batch costs a database commit, so at 10,000
 * emotes/s batches of 20 ms cost a third less CPU than batches of whatever has arrived
 * (BENCHMARKS.md → bench:ingest), for at most 20 ms more until a moment.
 */
const FETCH_WAIT_MS = 20;

export interface WorkerOptions {
  groupId: string;
  concurrency: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs?: number;
  parseThread: boolean;
  /** Run the streamers' surge detectors on a thread of their own (surge-thread.ts). */
  surgeThread: boolean;
  /** Accepted emote timestamps (default the contract's: 2000-01-01 … now + 24 h). */
  timestamps?: { earliestMs: number; maxAheadMs: number };
  /** A streamer's in-memory state is dropped after this long without emotes. */
  streamerIdleMs?: number;
  /** Stream sessions' gap and the intensity buckets' retention (default the env schema's). */
  timeline?: TimelineEnv;
}

/** The worker's options from the timeline variables. */
export function timelineOptions(env: TimelineEnv): Pick<WorkerOptions, "timeline"> {
  return {
    timeline: { STREAM_GAP_MS: env.STREAM_GAP_MS, INTENSITY_RETENTION_DAYS: env.INTENSITY_RETENTION_DAYS },
  };
}

/**
 * Runs until a stop signal (`requested`: a clean stop, exit code 0) or until the consumer
 * stops for good: that is logged, and `graceMs` later (so /readyz can be seen failing; a
 * signal cuts it short) the worker is stopped within `stopTimeoutMs` and the exit code is
 * 1, so an orchestrator restarts it instead of a live-looking process that consumes nothing.
 */
export async function runUntilStopped(
  worker: Pick<RunningWorker, "stopped" | "stop">,
  opts: {
    requested: Promise<void>;
    log: Pick<Observability["log"], "fatal">;
    graceMs: number;
    stopTimeoutMs: number;
  },
): Promise<number> {
  const failure = await Promise.race([opts.requested.then(() => undefined), worker.stopped]);
  if (failure === undefined) {
    await worker.stop();
    return 0;
  }
  opts.log.fatal(
    { err: errorMessage(failure), exitInMs: opts.graceMs },
    "the consumer stopped for good: /readyz fails, exiting with 1",
  );
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([new Promise((resolve) => (grace = setTimeout(resolve, opts.graceMs))), opts.requested]);
  clearTimeout(grace);
  await withDeadline(worker.stop(), opts.stopTimeoutMs, "stopping took too long").catch(() => undefined);
  return 1;
}

/**
 * The worker's distributed-mode process: Kafka and PostgreSQL from the environment,
 * probes on their own port. `obs` is the process's (its logger, registry, readiness).
 */
export async function startWorker(env: WorkerEnv, obs: Observability): Promise<StartedWorker> {
  // The port first: one in use fails the start before this worker joins the group (and
  // makes the others rebalance). Until the checks are added /readyz says "starting".
  const probes = await startProbeServer(obs, { host: env.METRICS_HOST, port: env.METRICS_PORT });
  obs.log.info({ url: probes.url }, `metrics on ${probes.url}/metrics, probes /healthz and /readyz`);
  try {
    return await startConsuming(env, obs, probes);
  } catch (err) {
    await probes.close();
    throw err;
  }
}

async function startConsuming(
  env: WorkerEnv,
  obs: Observability,
  probes: ProbeServer,
): Promise<StartedWorker> {
  const { bus } = await openKafkaBusFromEnv(env, "emote-worker", kafkaLogging(obs.log));
  const conn = await openMigratedDatabase(env.DATABASE_URL);
  let worker: RunningWorker | undefined;
  try {
    worker = await runWorker(
      { bus, conn },
      {
        groupId: env.WORKER_GROUP_ID,
        concurrency: env.WORKER_CONCURRENCY,
        sessionTimeoutMs: env.WORKER_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: env.WORKER_HEARTBEAT_INTERVAL_MS,
        parseThread: env.WORKER_PARSE_THREAD,
        surgeThread: env.WORKER_SURGE_THREAD,
        timestamps: {
          earliestMs: Date.parse(env.WORKER_TIMESTAMP_EARLIEST),
          maxAheadMs: env.WORKER_TIMESTAMP_MAX_AHEAD_MS,
        },
        streamerIdleMs: env.WORKER_STREAMER_IDLE_MS,
        ...timelineOptions(env),
      },
      obs,
    );
    obs.log.info(
      {
        topic: bus.topics.raw,
        groupId: env.WORKER_GROUP_ID,
        brokers: kafkaBrokers(env),
        database: conn.description,
      },
      "worker consuming",
    );
    const running = worker;
    return {
      metrics: running.metrics,
      settings: running.settings,
      stopped: running.stopped,
      probes,
      async stop() {
        await probes.close();
        await running.stop();
        await conn.close();
      },
    };
  } catch (err) {
    await worker?.stop().catch(() => undefined);
    await conn.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Wires a bus and a database (topics created, database migrated) to the analysis and
 * starts consuming, reporting through `obs`: the worker's metrics on its registry, its
 * readiness checks (the consumer group joined, PostgreSQL answering), spans and logs.
 * The caller owns the bus, the database connection and `obs`.
 */
export async function runWorker(
  { bus, conn }: { bus: Bus; conn: DatabaseConnection },
  opts: WorkerOptions,
  obs: Observability,
): Promise<RunningWorker> {
  const log = obs.log.child({ component: "worker" });
  const metrics = new WorkerMetrics(obs.registry, log);
  const settings = new SettingsCache(await loadSettingsSnapshot(conn.db));
  const follower = await followSettings(conn, settings, {
    reloaded: (scope) => metrics.settingsReloads.inc({ scope }),
    failed: (err) => log.warn({ err: err.message }, "settings reload failed"),
  });
  const producer = await bus.producer();
  const parser = opts.parseThread ? threadParser() : inlineParser;
  const surges = opts.surgeThread ? threadSurgeStage() : inlineSurgeStage();
  // Both threads load their code before the consumer joins the group: a first batch waiting
  // on a thread still compiling (seconds on a loaded machine) sends no heartbeat meanwhile.
  await Promise.all([parser.parse([], timestampWindow()), surges.analyse({ emotes: [], runs: [] })]);
  const groupId = opts.groupId;
  const [dlqMax, aggregatedMax] = await Promise.all([
    bus.maxMessageBytes(bus.topics.dlq),
    bus.maxMessageBytes(bus.topics.aggregated),
  ]);
  const processor = new PartitionProcessor({
    topics: bus.topics,
    producer,
    settings,
    metrics,
    tracing: obs.tracing,
    log,
    parser,
    surges,
    maxMessageBytes: { dlq: dlqMax, aggregated: aggregatedMax },
    ...(opts.timestamps ? { timestamps: opts.timestamps } : {}),
    ...(opts.streamerIdleMs === undefined ? {} : { streamerIdleMs: opts.streamerIdleMs }),
    ...(opts.timeline && { streamGapMs: opts.timeline.STREAM_GAP_MS }),
    store: {
      loadCheckpoint: (topic, partition) => loadCheckpoint(conn.db, groupId, topic, partition),
      dropEarlierLogCheckpoint: (topic, partition, nextOffset) =>
        dropEarlierLogCheckpoint(conn.db, groupId, topic, partition, nextOffset),
      loadLastCommitted: (topic, partition) => loadLastCommittedMoments(conn.db, groupId, topic, partition),
      loadStreamers: (ids) => loadStreamerProgress(conn.db, groupId, ids),
      commit: (c) => commitAnalysis(conn.db, { groupId, ...c }),
      isUnavailable: isTransientDatabaseError,
      isDataError,
    },
  });
  const consumer = await bus.consumer({
    groupId,
    topics: [bus.topics.raw],
    fromBeginning: true,
    concurrency: opts.concurrency,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    heartbeatIntervalMs: opts.heartbeatIntervalMs,
    // The stored checkpoint says what is applied; the group's offset only where a restart
    // begins reading, and what it replays is skipped against the checkpoint.
    commitIntervalMs: GROUP_COMMIT_INTERVAL_MS,
    fetchWaitMs: FETCH_WAIT_MS,
  });
  const stopped = new Promise<Error>((resolve) => consumer.onStopped(resolve));
  metrics.watchLag(() => consumer.lag());
  obs.readiness.add(groupMembershipCheck(bus, consumer, groupId));
  obs.readiness.add(databaseCheck(conn));
  consumer.onRebalance(() => {
    processor.reset();
    metrics.forgetApplied();
  });
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
        (err: unknown) => log.warn({ err: errorMessage(err) }, "window stats not published"),
      )
      .finally(() => {
        statsInFlight = undefined;
      });
  }, STATS_TICK_MS);
  const retention = new IntensityRetention({
    db: conn.db,
    retentionDays: opts.timeline?.INTENSITY_RETENTION_DAYS ?? DEFAULT_INTENSITY_RETENTION_DAYS,
    log,
  });
  retention.start();

  return {
    metrics,
    settings,
    stopped,
    async stop() {
      clearInterval(statsTimer);
      await retention.stop();
      await statsInFlight;
      await consumer.disconnect();
      // The last counts of the batches just drained, whatever the throttle.
      await processor.publishStats({ all: true }).catch((err: unknown) => {
        log.warn({ err: errorMessage(err) }, "window stats not published");
      });
      await parser.close();
      await surges.close();
      await producer.disconnect();
      await follower.stop();
    },
  };
}
