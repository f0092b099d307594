import {
  isRecordRejected,
  LONE_RECORD_FRAMING_BYTES,
  recordBytes,
  type BatchControl,
  type BusProducer,
  type IncomingRecord,
  type OutgoingRecord,
  type RecordBatch,
  type TopicNames,
} from "@emote/bus";
import {
  DEFAULT_TIMESTAMP_EARLIEST,
  DEFAULT_TIMESTAMP_MAX_AHEAD_MS,
  timestampWindow,
  type AnalysisSettings,
  type DlqReason,
  type Moment,
  type WindowStats,
} from "@emote/contracts";
import type { AnalysisCommit, StreamerProgress } from "@emote/db";
import {
  errorMessage,
  SpanKind,
  TRACEPARENT,
  type Logger,
  type SpanHandle,
  type Tracing,
} from "@emote/observability";
import { countApplied } from "./applied-metrics.ts";
import { deadLetter, type Refusal } from "./dead-letter.ts";
import type { BatchParser, ParsedBatch } from "./parse-batch.ts";
import { skipApplied } from "./replay.ts";
import type { SettingsCache } from "./settings-cache.ts";
import { StreamerBatch } from "./streamer-batches.ts";
import { WindowStatsTracker, type StreamerWindowCounts } from "./window-stats.ts";
import type { WorkerMetrics } from "./worker-metrics.ts";

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
  /** True when `err` says the store refused the data itself: the same call fails again. */
  isDataError(err: unknown): boolean;
}

/** How long a streamer's in-memory state outlives its last emote (it is durable in the store). */
export const DEFAULT_STREAMER_IDLE_MS = 15 * 60_000;

/**
 * A record's effects failed in a way no retry mends and it could not be dead-lettered
 * either: the consumer stops for good (`retriable: false`), /readyz says so and the
 * process exits, instead of replaying the same failure forever.
 */
export class UnrecoverableBatchError extends Error {
  override readonly name = "UnrecoverableBatchError";
  readonly retriable = false;
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
 * produce dead letters (acks all) → store moments (numbered in the moment log), open
 * batches and the partition checkpoint in one transaction → produce the moments with
 * their positions → commit the Kafka offset. A crash anywhere replays from the stored
 * checkpoint, and records below it are skipped, so no emote is counted twice and moment
 * ids repeat exactly; the next owner of the partition publishes its last commit's
 * moments again, so a crash between commit and produce loses none.
 *
 * Every good emote is also counted per (streamer, minute) for `emote-window-stats`; the
 * stats due ride in the same send as the moments (best effort: not in the checkpoint).
 *
 * A moment whose first emote carried a trace context continues that trace: a "moment
 * detected" span (a child of the emote's context) whose traceparent the moment carries
 * on Kafka, in PostgreSQL and in the record's `traceparent` header.
 */
export class PartitionProcessor {
  /** Streamers' state, least recently used first (moved to the end on use). */
  private readonly streamers = new Map<string, { batch: StreamerBatch; usedAt: number }>();
  private readonly checkpoints = new Map<string, bigint | null>();
  private readonly stats: WindowStatsTracker;
  private readonly now: () => number;
  private readonly wallClock: () => number;
  private readonly timestamps: { earliestMs: number; maxAheadMs: number };
  private readonly idleMs: number;
  private nextEviction = Number.NEGATIVE_INFINITY;

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
      /** Clock for the stats throttle and idle streamers (default Date.now). */
      now?: () => number;
      /** The largest record the DLQ and the moments topic take (their max.message.bytes). */
      maxMessageBytes: { dlq: number; aggregated: number };
      /** Accepted timestamps: from `earliestMs` to `maxAheadMs` past the wall clock. */
      timestamps?: { earliestMs: number; maxAheadMs: number };
      /** The wall clock the timestamps are judged by (default Date.now). */
      wallClock?: () => number;
      /** A streamer without emotes for this long leaves memory (default 15 min). */
      streamerIdleMs?: number;
    },
  ) {
    this.stats = deps.stats ?? new WindowStatsTracker();
    this.now = deps.now ?? Date.now;
    this.wallClock = deps.wallClock ?? Date.now;
    this.timestamps = deps.timestamps ?? {
      earliestMs: Date.parse(DEFAULT_TIMESTAMP_EARLIEST),
      maxAheadMs: DEFAULT_TIMESTAMP_MAX_AHEAD_MS,
    };
    this.idleMs = deps.streamerIdleMs ?? DEFAULT_STREAMER_IDLE_MS;
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
      if (await this.isolating(batch, control)) {
        this.deps.metrics.batchDuration.observe((performance.now() - started) / 1000);
      }
      this.evictIdle();
    } catch (err) {
      // Memory may be ahead of what was stored; reload from the store on the retry.
      this.reset();
      throw err;
    }
  }

  /** Number of streamers whose analysis state is in memory. */
  get streamersInMemory(): number {
    return this.streamers.size;
  }

  /**
   * Applies the batch; when its effects fail in a way a retry repeats (the database
   * refused the data, the broker the records), finds the records responsible by halving
   * the batch, dead-letters each with the error, and applies the rest. Each half is a
   * complete apply (produce, store, commit), so what precedes a poison record is stored
   * even if a later half fails. Anything else (an outage, a rebalance) is thrown as
   * before: the batch is replayed from the stored checkpoint.
   */
  private async isolating(batch: RecordBatch, control: BatchControl): Promise<boolean> {
    try {
      return await this.process(batch, control);
    } catch (err) {
      const reason = this.rejection(err);
      if (reason === undefined || !control.shouldContinue()) throw err;
      // The failed try's in-memory effects are not stored: start each half from the store.
      this.reset();
      const [only] = batch.records;
      if (batch.records.length === 1 && only)
        return this.deadLetterOne(batch, only, control, { reason, detail: errorMessage(err) });
      const mid = Math.ceil(batch.records.length / 2);
      const first = await this.isolating({ ...batch, records: batch.records.slice(0, mid) }, control);
      const second = await this.isolating({ ...batch, records: batch.records.slice(mid) }, control);
      return first || second;
    }
  }

  private async deadLetterOne(
    batch: RecordBatch,
    record: IncomingRecord,
    control: BatchControl,
    refusal: Refusal,
  ): Promise<boolean> {
    const { topic, partition } = batch;
    this.deps.log.warn(
      { topic, partition, offset: record.offset, reason: refusal.reason, err: refusal.detail },
      "record refused downstream: dead-lettered",
    );
    try {
      return await this.process(batch, control, refusal);
    } catch (err) {
      if (this.rejection(err) === undefined) throw err;
      throw new UnrecoverableBatchError(
        `${topic}[${partition}] offset ${record.offset} can be neither applied nor dead-lettered: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  /** The DLQ reason for an error a retry would repeat; undefined for any other error. */
  private rejection(err: unknown): DlqReason | undefined {
    if (isRecordRejected(err)) return "produce_rejected";
    if (this.deps.store.isDataError(err)) return "store_rejected";
    // JSON.stringify of the commit or a record (a cycle, a BigInt): never from parsed input.
    if (err instanceof TypeError) return "produce_rejected";
    return undefined;
  }

  /**
   * True when the batch had records to apply, and they are applied. With `refused`, every
   * record of the batch is dead-lettered for that reason instead of analysed.
   */
  private async process(batch: RecordBatch, control: BatchControl, refused?: Refusal): Promise<boolean> {
    const { topic, partition } = batch;
    const checkpoint = await this.checkpoint(topic, partition, control);
    // Nothing can revoke the partition during the synchronous part below, so one check
    // suffices (and kafkajs's isStale() is too costly to ask per message).
    const last = batch.records.at(-1);
    if (!last || !control.shouldContinue()) return false;
    const { records, skipped } = skipApplied(batch.records, checkpoint);
    if (records.length === 0) {
      // All applied before (a replay after a crash): the stored checkpoint is already past
      // the batch and stays where it is; only the group's offset catches up.
      await control.commit(last.offset);
      this.deps.metrics.skippedReplayed.inc(skipped);
      return false;
    }

    const wallNow = this.wallClock();
    this.stats.boundAhead(wallNow);
    const parsed = await this.deps.parser.parse(
      records.map((r) => r.value),
      timestampWindow(this.timestamps, wallNow),
    );
    await this.loadStreamers(parsed.streamers, control);
    const { analyses, dead, deadByReason, touched, closedBatches } = this.analyse(
      batch,
      records,
      parsed,
      refused,
    );

    const nextOffset = BigInt(last.offset) + 1n;
    const spans: SpanHandle[] = [];
    try {
      // Dead letters before the commit (a replay past it would not make them again);
      // moments only after it, with their positions: nothing is published that is not
      // durable, so gateways can order and resume by position (docs/architecture.md → Resume: the moment log).
      for (const a of analyses) this.traceMoments(a.moments, spans);
      if (dead.length > 0) await this.deps.producer.send([{ topic: this.deps.topics.dlq, records: dead }]);
      const commit = {
        topic,
        partition,
        nextOffset,
        streamers: [...touched].map((s) => s.toProgress()),
        moments: analyses.flatMap((a) => a.moments),
      };
      const positions = await this.untilStored(control, () => this.deps.store.commit(commit));
      await this.publishCommitted(control, [
        {
          topic: this.deps.topics.aggregated,
          records: withPositions(analyses, positions).flatMap((a) => this.fitting(a.streamerId, a.moments)),
        },
        { topic: this.deps.topics.stats, records: this.stats.take(this.now()).map(statsRecord) },
      ]);
    } finally {
      for (const span of spans) span.end();
    }
    this.checkpoints.set(`${topic}:${partition}`, nextOffset);
    await control.commit(last.offset);

    countApplied(this.deps.metrics, this.deps.log, {
      topic,
      partition,
      consumed: records.length,
      skipped,
      closedBatches,
      deadByReason,
      analyses,
      appliedAt: Number(last.timestamp ?? 0),
    });
    return true;
  }

  /**
   * Feeds the batch's good emotes to their streamers (and the window stats) and turns the
   * others into dead letters: everything but the I/O, synchronous so no rebalance can
   * interleave. With `refused`, every record is dead-lettered for that reason.
   */
  private analyse(
    batch: RecordBatch,
    records: IncomingRecord[],
    parsed: ParsedBatch,
    refused: Refusal | undefined,
  ) {
    // Settings cannot change during this synchronous loop, so look them up (and the stats
    // counter) once per streamer.
    const streamers = parsed.streamers.map((id): StreamerState => {
      const streamer = this.streamers.get(id)?.batch;
      if (!streamer) throw new Error(`streamer ${id} was not loaded`);
      return { streamer, settings: this.deps.settings.for(id), stats: this.stats.streamer(id) };
    });
    const analyses: { streamerId: string; moments: Moment[] }[] = [];
    const dead: OutgoingRecord[] = [];
    const deadByReason = new Map<DlqReason, number>();
    const touched = new Set<StreamerBatch>();
    let closedBatches = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as IncomingRecord;
      const refusal = refused ?? (parsed.good[i] !== 1 ? parsed.reasons[i] : undefined);
      if (refusal) {
        dead.push(deadLetter(record, batch, refusal, this.deps.maxMessageBytes.dlq));
        deadByReason.set(refusal.reason, (deadByReason.get(refusal.reason) ?? 0) + 1);
        continue;
      }
      const { streamer, settings, stats } = streamers[parsed.streamer[i] as number] as StreamerState;
      const emote = parsed.emotes[parsed.emote[i] as number] as string;
      const timestampMs = parsed.timestampMs[i] as number;
      stats.add(emote, timestampMs);
      touched.add(streamer);
      const moments = streamer.add(emote, timestampMs, settings, record.headers);
      if (moments === null) continue;
      closedBatches++;
      if (moments.length > 0) analyses.push({ streamerId: streamer.streamerId, moments });
    }
    return { analyses, dead, deadByReason, touched, closedBatches };
  }

  /** The partition's stored checkpoint, read once per ownership of the partition. */
  private async checkpoint(topic: string, partition: number, control: BatchControl): Promise<bigint | null> {
    const key = `${topic}:${partition}`;
    if (!this.checkpoints.has(key)) {
      const stored = await this.untilStored(control, () => this.deps.store.loadCheckpoint(topic, partition));
      await this.republishLastCommitted(topic, partition, control);
      this.checkpoints.set(key, stored);
    }
    return this.checkpoints.get(key) ?? null;
  }

  /**
   * Forgets streamers idle for `streamerIdleMs`: their state is stored with every batch
   * that touched them, and reloaded by the next one. Between batches, so none is in use.
   */
  private evictIdle(): void {
    const now = this.now();
    // The stats' sweep walks every streamer: at most a few times per idle period.
    if (now < this.nextEviction) return;
    this.nextEviction = now + Math.min(this.idleMs / 4, 60_000);
    const horizon = now - this.idleMs;
    for (const [id, s] of this.streamers) {
      if (s.usedAt >= horizon) break;
      this.streamers.delete(id);
    }
    this.stats.evictIdle(horizon);
  }

  /**
   * Gives each moment with a trace context its span (ended by the caller once Kafka
   * acknowledged the record that carries it).
   */
  private traceMoments(moments: Moment[], spans: SpanHandle[]): void {
    // Not exporting: the emote's context passes through unchanged, no span to make.
    const tracing = this.deps.tracing.exporting;
    for (const m of moments) {
      if (m.traceparent === undefined || !tracing) continue;
      const span = this.deps.tracing.startSpan("moment detected", {
        parent: m.traceparent,
        kind: SpanKind.PRODUCER,
        attributes: { "emote.streamer_id": m.streamerId, "emote.moment_id": m.id, "emote.emote": m.emote },
      });
      spans.push(span);
      m.traceparent = span.traceparent;
    }
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
    await this.publishCommitted(control, [
      {
        topic: this.deps.topics.aggregated,
        records: [...byStreamer].flatMap(([streamerId, moments]) => this.fitting(streamerId, moments)),
      },
    ]);
  }

  /**
   * Sends records whose effects are committed already. One the broker refuses for good is
   * left out and logged, each other record sent alone: its moments are stored, and
   * gateways read a position they miss from PostgreSQL (docs/architecture.md → Resume: the moment log), so
   * refusing it again on every retry would only stall the partition. Any other error
   * throws: the batch's retry (or the partition's next owner) publishes them again. One by
   * one, it heartbeats, and stops once the partition is no longer this worker's (its next
   * owner publishes the last commit's moments again).
   */
  private async publishCommitted(
    control: BatchControl,
    batches: { topic: string; records: OutgoingRecord[] }[],
  ): Promise<void> {
    try {
      await this.deps.producer.send(batches);
      return;
    } catch (err) {
      if (!isRecordRejected(err)) throw err;
    }
    for (const { topic, records } of batches) {
      for (const record of records) {
        if (!control.shouldContinue()) return;
        await control.heartbeat();
        try {
          await this.deps.producer.send([{ topic, records: [record] }]);
        } catch (err) {
          if (!isRecordRejected(err)) throw err;
          this.deps.log.error(
            { topic, key: record.key, bytes: recordBytes(record), err: errorMessage(err) },
            "the broker refused a record of committed moments or stats for good: left out (gateways read stored moments from PostgreSQL)",
          );
        }
      }
    }
  }

  /** `moments` as records within the moments topic's limit, halved until each fits. */
  private fitting(streamerId: string, moments: Moment[]): OutgoingRecord[] {
    const record: OutgoingRecord = { key: streamerId, value: JSON.stringify(moments) };
    const first = moments.find((m) => m.traceparent !== undefined)?.traceparent;
    if (first !== undefined) record.headers = { [TRACEPARENT]: first };
    if (
      moments.length === 1 ||
      recordBytes(record) <= this.deps.maxMessageBytes.aggregated - LONE_RECORD_FRAMING_BYTES
    ) {
      return [record];
    }
    const mid = Math.ceil(moments.length / 2);
    return [
      ...this.fitting(streamerId, moments.slice(0, mid)),
      ...this.fitting(streamerId, moments.slice(mid)),
    ];
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
    const usedAt = this.now();
    const missing: string[] = [];
    for (const id of ids) {
      const s = this.streamers.get(id);
      if (!s) {
        missing.push(id);
        continue;
      }
      // To the end of the map: the least recently used stay first, for evictIdle.
      this.streamers.delete(id);
      this.streamers.set(id, { batch: s.batch, usedAt });
    }
    if (missing.length === 0) return;
    for (const p of await this.untilStored(control, () => this.deps.store.loadStreamers(missing))) {
      this.streamers.set(p.streamerId, { batch: StreamerBatch.fromProgress(p), usedAt });
    }
    for (const id of missing) {
      if (!this.streamers.has(id)) this.streamers.set(id, { batch: new StreamerBatch(id), usedAt });
    }
  }
}

/** What the loop over a batch's emotes needs of one streamer, looked up once per batch. */
interface StreamerState {
  streamer: StreamerBatch;
  settings: AnalysisSettings;
  stats: StreamerWindowCounts;
}

/** The analyses with each moment's position in the moment log (`positions`: all moments, in order). */
function withPositions(
  analyses: readonly { streamerId: string; moments: Moment[] }[],
  positions: readonly number[],
): { streamerId: string; moments: Moment[] }[] {
  if (positions.length !== analyses.reduce((n, a) => n + a.moments.length, 0)) {
    throw new Error(`the store returned ${positions.length} positions for a different number of moments`);
  }
  let i = 0;
  return analyses.map((a) => ({
    streamerId: a.streamerId,
    moments: a.moments.map((m) => ({ ...m, position: positions[i++] })),
  }));
}

function statsRecord(s: WindowStats): OutgoingRecord {
  return { key: s.streamerId, value: JSON.stringify(s) };
}
