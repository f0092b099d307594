import type {
  BatchControl,
  BusProducer,
  IncomingRecord,
  OutgoingRecord,
  RecordBatch,
  TopicNames,
} from "@emote/bus";
import type { AnalysisSettings, Moment, WindowStats } from "@emote/contracts";
import type { AnalysisCommit, StreamerProgress } from "@emote/db";
import {
  errorMessage,
  SpanKind,
  TRACEPARENT,
  traceIdOf,
  type Logger,
  type SpanHandle,
  type Tracing,
} from "@emote/observability";
import { deadLetter } from "./dead-letter.ts";
import type { BatchParser } from "./parse-batch.ts";
import type { SettingsCache } from "./settings-cache.ts";
import { StreamerBatch } from "./streamer-batches.ts";
import { WindowStatsTracker, type StreamerWindowCounts } from "./window-stats.ts";
import { dlqReason, type DlqReason, type WorkerMetrics } from "./worker-metrics.ts";

/** Durable progress, kept in the same store as the moments. */
export interface ProgressStore {
  loadCheckpoint(topic: string, partition: number): Promise<bigint | null>;
  /** The moments the partition's last commit stored (with positions): perhaps never published. */
  loadLastCommitted(topic: string, partition: number): Promise<Moment[]>;
  loadStreamers(streamerIds: string[]): Promise<StreamerProgress[]>;
  /** Returns the moments' positions in the moment log, in the order of `c.moments`. */
  commit(c: Omit<AnalysisCommit, "groupId">): Promise<number[]>;
  /** True when `err` says the store could not be reached: the same call may succeed later. */
  isUnavailable(err: unknown): boolean;
}

/** Pauses between tries of a store call while the store is unreachable. */
const STORE_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000];
/** How often a pending store call heartbeats (kafkajs sends at most one per heartbeatInterval). */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Runs `call`, heartbeating meanwhile: a call to an unreachable database can last the
 * driver's connect timeout (10 s), longer than a short session timeout. When the call
 * fails and a heartbeat said the group is rebalancing, that is the error: the batch is
 * no longer this worker's to retry.
 */
async function heartbeating<T>(control: BatchControl, call: () => Promise<T>): Promise<T> {
  let rebalanced: { error: unknown } | undefined;
  const timer = setInterval(() => {
    control.heartbeat().catch((error: unknown) => (rebalanced ??= { error }));
  }, HEARTBEAT_EVERY_MS);
  try {
    return await call();
  } catch (err) {
    throw rebalanced ? rebalanced.error : err;
  } finally {
    clearInterval(timer);
  }
}

/** Waits `ms`, or less once the batch is no longer this worker's (a stop, a rebalance). */
async function pause(control: BatchControl, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (control.shouldContinue() && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - performance.now())));
  }
}

/**
 * Turns one partition's batch of raw emotes into moments. Order of effects per batch:
 * produce moments and dead letters (acks all) → store moments, open batches and the
 * partition checkpoint in one transaction → commit the Kafka offset. A crash anywhere
 * replays from the stored checkpoint, and records below it are skipped, so no emote is
 * counted twice and moment ids repeat exactly.
 *
 * Every good emote is also counted per (streamer, minute) for `emote-window-stats`; the
 * stats due ride in the same send as the moments (best effort: not in the checkpoint).
 *
 * A moment whose first emote carried a trace context continues that trace: a "moment
 * detected" span (a child of the emote's context) whose traceparent the moment carries
 * on Kafka, in PostgreSQL and in the record's `traceparent` header.
 */
export class PartitionProcessor {
  private readonly streamers = new Map<string, StreamerBatch>();
  private readonly checkpoints = new Map<string, bigint | null>();
  private readonly stats: WindowStatsTracker;
  private readonly now: () => number;

  constructor(
    private readonly deps: {
      topics: TopicNames;
      producer: BusProducer;
      store: ProgressStore;
      settings: SettingsCache;
      metrics: WorkerMetrics;
      tracing: Tracing;
      log: Logger;
      parser: BatchParser;
      /** Window stats counts; default a tracker with the contract's 1 s interval. */
      stats?: WindowStatsTracker;
      /** Clock for the stats throttle (default Date.now). */
      now?: () => number;
    },
  ) {
    this.stats = deps.stats ?? new WindowStatsTracker();
    this.now = deps.now ?? Date.now;
  }

  /** Forget in-memory state: after a rebalance another worker may have moved it on. */
  reset(): void {
    this.streamers.clear();
    this.checkpoints.clear();
    // The window stats go too. After a rebalance or a failed batch the emotes are replayed
    // from the stored checkpoint, and kept counts would count a retried batch twice; cleared,
    // a minute in progress is re-counted from what is replayed (the contract allows it).
    this.stats.clear();
  }

  /**
   * Sends the window stats that are due (`all`: everything changed, whatever the
   * throttle). Batches carry them as they go; this is for streamers that went quiet.
   * On failure the records are put back in line for the next call.
   */
  async publishStats(opts: { all?: boolean } = {}): Promise<number> {
    const due = this.stats.take(this.now(), opts);
    if (due.length === 0) return 0;
    try {
      await this.deps.producer.send([{ topic: this.deps.topics.stats, records: due.map(statsRecord) }]);
    } catch (err) {
      this.stats.requeue(due);
      throw err;
    }
    return due.length;
  }

  async handle(batch: RecordBatch, control: BatchControl): Promise<void> {
    const started = performance.now();
    try {
      if (await this.process(batch, control)) {
        this.deps.metrics.batchDuration.observe((performance.now() - started) / 1000);
      }
    } catch (err) {
      // Memory may be ahead of what was stored; reload from the store on the retry.
      this.reset();
      throw err;
    }
  }

  /** True when the batch had records to apply, and they are applied. */
  private async process(batch: RecordBatch, control: BatchControl): Promise<boolean> {
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    if (!this.checkpoints.has(key)) {
      const stored = await this.untilStored(control, () => this.deps.store.loadCheckpoint(topic, partition));
      await this.republishLastCommitted(topic, partition, control);
      this.checkpoints.set(key, stored);
    }
    const checkpoint = this.checkpoints.get(key) ?? null;

    // Nothing can revoke the partition during the synchronous part below, so one check
    // suffices (and kafkajs's isStale() is too costly to ask per message).
    let records: IncomingRecord[] = batch.records;
    if (records.length === 0 || !control.shouldContinue()) return false;
    const last = records[records.length - 1] as IncomingRecord;
    const lastOffset = last.offset;
    // Offsets only grow within a batch: skip the part a previous run already applied.
    let skipped = 0;
    if (checkpoint !== null && BigInt((records[0] as IncomingRecord).offset) < checkpoint) {
      const applied = records.findIndex((r) => BigInt(r.offset) >= checkpoint);
      const skip = applied < 0 ? records.length : applied;
      skipped = skip;
      records = records.slice(skip);
    }
    if (records.length === 0) {
      // All applied before (a replay after a crash): the stored checkpoint is already past
      // the batch and stays where it is; only the group's offset catches up.
      await control.commit(lastOffset);
      this.deps.metrics.skippedReplayed.inc(skipped);
      return false;
    }

    const parsed = await this.deps.parser.parse(records.map((r) => r.value));
    await this.loadStreamers(parsed.streamers, control);
    // Settings cannot change during this synchronous loop, so look them up (and the stats
    // counter) once per streamer.
    const streamers = parsed.streamers.map((id): StreamerState => {
      const streamer = this.streamers.get(id);
      if (!streamer) throw new Error(`streamer ${id} was not loaded`);
      return { streamer, settings: this.deps.settings.for(id), stats: this.stats.streamer(id) };
    });

    const analyses: { streamerId: string; moments: Moment[] }[] = [];
    const dead: OutgoingRecord[] = [];
    let deadByReason: Map<DlqReason, number> | undefined;
    const touched = new Set<StreamerBatch>();
    let closedBatches = 0;
    for (let i = 0; i < records.length; i++) {
      if (parsed.good[i] !== 1) {
        const reason = parsed.reasons[i] ?? "invalid";
        dead.push(deadLetter(records[i] as IncomingRecord, batch, reason));
        deadByReason ??= new Map();
        const label = dlqReason(reason);
        deadByReason.set(label, (deadByReason.get(label) ?? 0) + 1);
        continue;
      }
      const { streamer, settings, stats } = streamers[parsed.streamer[i] as number] as StreamerState;
      const emote = parsed.emotes[parsed.emote[i] as number] as string;
      const timestampMs = parsed.timestampMs[i] as number;
      stats.add(emote, timestampMs);
      touched.add(streamer);
      const moments = streamer.add(emote, timestampMs, settings, (records[i] as IncomingRecord).headers);
      if (moments === null) continue;
      closedBatches++;
      if (moments.length > 0) analyses.push({ streamerId: streamer.streamerId, moments });
    }

    const nextOffset = BigInt(lastOffset) + 1n;
    const spans: SpanHandle[] = [];
    try {
      // Dead letters before the commit (a replay past it would not make them again);
      // moments only after it, with their positions: nothing is published that is not
      // durable, so gateways can order and resume by position (docs/ARCHITECTURE.md).
      const headers = analyses.map((a) => this.traceMoments(a, spans));
      if (dead.length > 0) await this.deps.producer.send([{ topic: this.deps.topics.dlq, records: dead }]);
      const commit = {
        topic,
        partition,
        nextOffset,
        streamers: [...touched].map((s) => s.toProgress()),
        moments: analyses.flatMap((a) => a.moments),
      };
      const positions = await this.untilStored(control, () => this.deps.store.commit(commit));
      await this.deps.producer.send([
        { topic: this.deps.topics.aggregated, records: momentRecords(analyses, positions, headers) },
        { topic: this.deps.topics.stats, records: this.stats.take(this.now()).map(statsRecord) },
      ]);
    } finally {
      for (const span of spans) span.end();
    }
    this.checkpoints.set(key, nextOffset);
    await control.commit(lastOffset);

    // Counted once durable, so a reader of the counters finds what they count stored.
    const { metrics, log } = this.deps;
    metrics.emotesConsumed.inc(records.length);
    if (skipped > 0) metrics.skippedReplayed.inc(skipped);
    if (closedBatches > 0) metrics.analyses.inc(closedBatches);
    if (deadByReason) for (const [reason, n] of deadByReason) metrics.dlqMessages.inc({ reason }, n);
    const appliedAt = Number(last.timestamp);
    if (appliedAt > 0) metrics.applied(topic, partition, appliedAt);
    // Debug, like the generator's per-emote lines: ~4% of emotes make a moment at the
    // default settings, and an info line each cost 2–3% of the worker's CPU.
    const logMoments = analyses.length > 0 && log.isLevelEnabled("debug");
    for (const a of analyses) {
      metrics.momentsEmitted.inc(a.moments.length);
      if (!logMoments) continue;
      for (const m of a.moments) {
        const { id: momentId, streamerId, emote, count, total } = m;
        log.debug(
          { momentId, streamerId, emote, count, total, traceId: traceIdOf(m.traceparent) },
          "moment detected",
        );
      }
    }
    return true;
  }

  /**
   * Gives each moment with a trace context its span (ended by the caller once Kafka
   * acknowledged the record); returns the record's headers (the first moment's context).
   */
  private traceMoments(a: { moments: Moment[] }, spans: SpanHandle[]): OutgoingRecord["headers"] {
    let first: string | undefined;
    // Not exporting: the emote's context passes through unchanged, no span to make.
    const tracing = this.deps.tracing.exporting;
    for (const m of a.moments) {
      if (m.traceparent === undefined) continue;
      if (!tracing) {
        first ??= m.traceparent;
        continue;
      }
      const span = this.deps.tracing.startSpan("moment detected", {
        parent: m.traceparent,
        kind: SpanKind.PRODUCER,
        attributes: { "emote.streamer_id": m.streamerId, "emote.moment_id": m.id, "emote.emote": m.emote },
      });
      spans.push(span);
      m.traceparent = span.traceparent;
      first ??= span.traceparent;
    }
    return first === undefined ? undefined : { [TRACEPARENT]: first };
  }

  /**
   * Moments are published after their commit, so a worker that died (or failed to send)
   * in between left the last commit's moments stored but perhaps not published: whoever
   * takes the partition on publishes them again before going on (repeats are dropped by
   * consumers, by id or position).
   */
  private async republishLastCommitted(
    topic: string,
    partition: number,
    control: BatchControl,
  ): Promise<void> {
    const last = await this.untilStored(control, () => this.deps.store.loadLastCommitted(topic, partition));
    if (last.length === 0) return;
    const byStreamer = new Map<string, Moment[]>();
    for (const m of last) byStreamer.set(m.streamerId, [...(byStreamer.get(m.streamerId) ?? []), m]);
    await this.deps.producer.send([
      {
        topic: this.deps.topics.aggregated,
        records: [...byStreamer].map(([key, moments]) => ({ key, value: JSON.stringify(moments) })),
      },
    ]);
  }

  /**
   * Runs a store call again while the store is unreachable and the batch is still this
   * worker's, heartbeating between tries: a database outage then keeps the worker in its
   * group (and /readyz names PostgreSQL alone) instead of crashing the consumer into a
   * rebalance. Each call can be repeated: reads, and a commit that writes the same rows
   * and checkpoint again if an earlier try did land.
   */
  private async untilStored<T>(control: BatchControl, call: () => Promise<T>): Promise<T> {
    const { log, metrics, store } = this.deps;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await heartbeating(control, call);
        if (attempt > 0) log.info({ retries: attempt }, "database reachable again");
        return result;
      } catch (err) {
        if (!store.isUnavailable(err) || !control.shouldContinue()) throw err;
        if (attempt === 0) {
          log.warn({ err: errorMessage(err) }, "database unreachable: retrying until it answers");
        }
        metrics.databaseRetries.inc();
        await pause(control, STORE_RETRY_DELAYS_MS[Math.min(attempt, STORE_RETRY_DELAYS_MS.length - 1)] ?? 0);
        if (!control.shouldContinue()) throw err;
        await control.heartbeat();
      }
    }
  }

  private async loadStreamers(ids: string[], control: BatchControl): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.streamers.has(id));
    if (missing.length === 0) return;
    for (const p of await this.untilStored(control, () => this.deps.store.loadStreamers(missing))) {
      this.streamers.set(p.streamerId, StreamerBatch.fromProgress(p));
    }
    for (const id of missing) if (!this.streamers.has(id)) this.streamers.set(id, new StreamerBatch(id));
  }
}

/** What the loop over a batch's emotes needs of one streamer, looked up once per batch. */
interface StreamerState {
  streamer: StreamerBatch;
  settings: AnalysisSettings;
  stats: StreamerWindowCounts;
}

/** One record per analysis, its moments with their positions in the moment log (`positions`: all moments in order). */
function momentRecords(
  analyses: readonly { streamerId: string; moments: Moment[] }[],
  positions: readonly number[],
  headers: readonly OutgoingRecord["headers"][],
): OutgoingRecord[] {
  let i = 0;
  return analyses.map((a, n) => {
    const moments = a.moments.map((m) => ({ ...m, position: positions[i++] }));
    const record: OutgoingRecord = { key: a.streamerId, value: JSON.stringify(moments) };
    const h = headers[n];
    if (h !== undefined) record.headers = h;
    return record;
  });
}

function statsRecord(s: WindowStats): OutgoingRecord {
  return { key: s.streamerId, value: JSON.stringify(s) };
}
