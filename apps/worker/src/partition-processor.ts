import type {
  BatchControl,
  BusProducer,
  IncomingRecord,
  OutgoingRecord,
  RecordBatch,
  TopicNames,
} from "@emote/bus";
import {
  DEFAULT_TIMESTAMP_EARLIEST,
  DEFAULT_TIMESTAMP_MAX_AHEAD_MS,
  timestampWindow,
  type DlqReason,
} from "@emote/contracts";
import type { Logger, SpanHandle, Tracing } from "@emote/observability";
import { CheckpointSupersededError } from "@emote/db";
import { countApplied } from "./applied-metrics.ts";
import { CommittedPublisher } from "./committed-publishing.ts";
import { deadLetter, type Refusal } from "./dead-letter.ts";
import { traceMoments } from "./moment-spans.ts";
import type { BatchParser, ParsedBatch } from "./parse-batch.ts";
import { applyIsolating } from "./poison-bisection.ts";
import type { ProgressStore } from "./progress-store.ts";
import { statsRecord } from "./record-fitting.ts";
import { skipApplied } from "./replay.ts";
import type { SettingsCache } from "@emote/settings";
import { untilStored } from "./store-retries.ts";
import { committedSurgeState } from "./streamer-analysis.ts";
import { StreamerLru } from "./streamer-lru.ts";
import { analyseBatch, type StreamerRun } from "./streamer-runs.ts";
import { surgeViewerKey } from "./detectors/surge/surge-detector.ts";
import { inlineSurgeStage, SurgeRunBuilder, type SurgeStage } from "./surge-stage.ts";
import { viewerFromHeaders, viewerHash } from "./viewer-header.ts";
import { WindowStatsTracker, type StreamerWindowCounts } from "./window-stats.ts";
import type { WorkerMetrics } from "./worker-metrics.ts";

/**
 * Turns one partition's batch of raw emotes into moments. Order of effects per batch:
 * produce dead letters (acks all) → store moments (numbered in the moment log), open
 * batches and the partition checkpoint in one transaction → produce the moments with
 * their positions → commit the Kafka offset. A crash anywhere replays from the stored
 * checkpoint, and records below it are skipped, so no emote is counted twice and moment
 * ids repeat exactly; the next owner of the partition publishes its last commit's
 * moments again (committed-publishing.ts), so a crash between commit and produce loses none.
 * Records the store or the broker refuse for good are found by bisection and
 * dead-lettered (poison-bisection.ts); an unreachable store is retried (store-retries.ts).
 *
 * Every good emote is also counted per (streamer, minute) for `emote-window-stats`; the
 * stats due ride in the same send as the moments (best effort: not in the checkpoint).
 *
 * A moment whose first emote carried a trace context continues that trace (moment-spans.ts).
 */
export class PartitionProcessor {
  private readonly streamers: StreamerLru;
  private readonly checkpoints = new Map<string, bigint | null>();
  private readonly stats: WindowStatsTracker;
  private readonly publisher: CommittedPublisher;
  private readonly surges: SurgeStage;
  private readonly now: () => number;
  private readonly wallClock: () => number;
  private readonly timestamps: { earliestMs: number; maxAheadMs: number };

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
      /** Where the streamers' surge detectors run (default: on this thread). */
      surges?: SurgeStage;
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
      /** Event-time silence after which a streamer's next emote starts a new stream (default 10 min). */
      streamGapMs?: number;
    },
  ) {
    this.streamers = new StreamerLru(deps.streamerIdleMs, deps.streamGapMs);
    this.stats = deps.stats ?? new WindowStatsTracker();
    this.surges = deps.surges ?? inlineSurgeStage();
    this.publisher = new CommittedPublisher({
      producer: deps.producer,
      log: deps.log,
      aggregated: { topic: deps.topics.aggregated, maxMessageBytes: deps.maxMessageBytes.aggregated },
    });
    this.now = deps.now ?? Date.now;
    this.wallClock = deps.wallClock ?? Date.now;
    this.timestamps = deps.timestamps ?? {
      earliestMs: Date.parse(DEFAULT_TIMESTAMP_EARLIEST),
      maxAheadMs: DEFAULT_TIMESTAMP_MAX_AHEAD_MS,
    };
  }

  /** Forget in-memory state: after a rebalance another worker may have moved it on. */
  reset(): void {
    this.streamers.clear();
    this.surges.clear();
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
      const applied = await applyIsolating(
        {
          apply: (b, c, refused) => this.process(b, c, refused),
          reset: () => this.reset(),
          isDataError: (err) => this.deps.store.isDataError(err),
          log: this.deps.log,
        },
        batch,
        control,
      );
      if (applied) this.deps.metrics.batchDuration.observe((performance.now() - started) / 1000);
      const evicted = this.streamers.evictIdle(this.now());
      if (evicted !== undefined) {
        this.surges.forget(evicted.ids);
        this.stats.evictIdle(evicted.horizon);
      }
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
   * The commit protocol for one batch: true when it had records to apply, and they are
   * applied. With `refused`, every record is dead-lettered for that reason instead of analysed.
   */
  private async process(batch: RecordBatch, control: BatchControl, refused?: Refusal): Promise<boolean> {
    const { topic, partition } = batch;
    const checkpoint = await this.checkpoint(batch, control);
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
    await this.loadStreamers(batch, checkpoint, parsed.streamers, control);
    const { analyses, dead, deadByReason, closedBatches, streamers } = await this.analyse(
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
      for (const a of analyses) traceMoments(this.deps.tracing, a.moments, spans);
      if (dead.length > 0) await this.deps.producer.send([{ topic: this.deps.topics.dlq, records: dead }]);
      const commit = {
        topic,
        partition,
        nextOffset,
        streamers: streamers.map((s) => s.progress),
        moments: analyses.flatMap((a) => a.moments),
        intensity: streamers.flatMap((s) => s.buckets),
        streams: streamers.flatMap((s) => s.streams),
      };
      const positions = await this.untilStored(control, () => this.deps.store.commit(commit));
      await this.publisher.publish(control, [
        this.publisher.momentRecords(analyses, positions),
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
   * others into dead letters: everything but the I/O. The loop over the records gathers
   * each streamer's run; the surge stage takes the runs of the streamers whose surge
   * detector is on, while the streamers analyse their runs here one after the other
   * (streamer-runs.ts). Synchronous up to the stage's answer, so no rebalance interleaves
   * with the loop. With `refused`, every record is dead-lettered for that reason.
   */
  private async analyse(
    batch: RecordBatch,
    records: IncomingRecord[],
    parsed: ParsedBatch,
    refused: Refusal | undefined,
  ) {
    // Settings cannot change during this synchronous loop, so look them up (and the stats
    // counter) once per streamer.
    const streamers = parsed.streamers.map((id): StreamerState => {
      const streamer = this.streamers.get(id);
      if (!streamer) throw new Error(`streamer ${id} was not loaded`);
      const settings = this.deps.settings.for(id);
      return {
        streamer,
        settings,
        detectors: streamer.detectors(settings),
        stats: this.stats.streamer(id),
        surge: settings.detectors.includes("surge") ? new SurgeRunBuilder(id, settings.surge) : undefined,
        inputs: [],
        at: [],
      };
    });
    const dead: OutgoingRecord[] = [];
    const deadByReason = new Map<DlqReason, number>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as IncomingRecord;
      const refusal = refused ?? (parsed.good[i] !== 1 ? parsed.reasons[i] : undefined);
      if (refusal) {
        dead.push(deadLetter(record, batch, refusal, this.deps.maxMessageBytes.dlq));
        deadByReason.set(refusal.reason, (deadByReason.get(refusal.reason) ?? 0) + 1);
        continue;
      }
      const run = streamers[parsed.streamer[i] as number] as StreamerState;
      const emoteIndex = parsed.emote[i] as number;
      const emote = parsed.emotes[emoteIndex] as string;
      const timestampMs = parsed.timestampMs[i] as number;
      const { headers } = record;
      const viewer = viewerFromHeaders(headers);
      // An anonymous record is one viewer, the same one when it is replayed.
      const hash = viewerHash(viewer ?? `\u0000${batch.partition}:${record.offset}`);
      run.stats.add(emote, timestampMs, hash);
      run.inputs.push({ streamerId: run.streamer.streamerId, emote, timestampMs, viewer, headers });
      run.at.push(i);
      run.surge?.add(emoteIndex, viewer === undefined ? -1 : surgeViewerKey(hash));
    }
    return { ...(await analyseBatch(streamers, parsed.emotes, this.surges)), dead, deadByReason };
  }

  /**
   * The partition's stored checkpoint, read once per ownership of the partition; taking
   * the partition on republishes its last commit's moments. A checkpoint beyond the
   * partition's end belongs to an earlier log (the topic was deleted and created again,
   * PostgreSQL kept): the log only grows, so on the same log every applied offset lies
   * below the end (a checkpoint exactly at the end is a worker that is caught up).
   * Skipping against it would drop the new log's records as replayed, so it is dropped.
   */
  private async checkpoint(batch: RecordBatch, control: BatchControl): Promise<bigint | null> {
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    if (!this.checkpoints.has(key)) {
      let stored = await this.untilStored(control, () => this.deps.store.loadCheckpoint(topic, partition));
      const last = await this.untilStored(control, () => this.deps.store.loadLastCommitted(topic, partition));
      await this.publisher.republish(control, last);
      const end = BigInt(batch.end);
      if (stored !== null && stored > end) {
        const earlier = stored;
        await this.untilStored(control, () =>
          this.deps.store.dropEarlierLogCheckpoint(topic, partition, earlier),
        );
        this.deps.log.warn(
          { topic, partition, checkpoint: String(earlier), end: String(end) },
          `the stored checkpoint of ${topic}[${partition}] (next offset ${earlier}) is beyond the partition's end (${end}): the topic was recreated; applying its new log from the start`,
        );
        this.deps.metrics.earlierLogCheckpoints.inc({ topic, partition: String(partition) });
        stored = null;
      }
      this.checkpoints.set(key, stored);
    }
    return this.checkpoints.get(key) ?? null;
  }

  /**
   * Puts the batch's streamers in memory, those not there from their stored progress. That
   * progress must be what the checkpoint read for this ownership says is applied: a member
   * that lost the partition with a batch in flight may still store it after this one read
   * the checkpoint, and building on its rows would count its records twice. So the
   * checkpoint is read again after the rows (a commit writes both at once, and a later read
   * sees every commit an earlier one saw): unchanged, the rows are from at most that
   * checkpoint; moved on, the batch fails as superseded and is retried from the new one.
   */
  private async loadStreamers(
    batch: RecordBatch,
    read: bigint | null,
    ids: string[],
    control: BatchControl,
  ): Promise<void> {
    const usedAt = this.now();
    const missing = this.streamers.use(ids, usedAt);
    if (missing.length === 0) return;
    const { topic, partition } = batch;
    const stored = await this.untilStored(control, () => this.deps.store.loadStreamers(missing));
    const now = await this.untilStored(control, () => this.deps.store.loadCheckpoint(topic, partition));
    // `read` is this batch's own copy: a reset for another partition's failed batch may have
    // cleared the map meanwhile, and that is no reason to fail this one.
    if (now !== read) {
      throw new CheckpointSupersededError(
        `${topic}[${partition}] was stored up to offset ${now} by another member after this one read ${read}; retrying from there`,
      );
    }
    this.streamers.load(missing, stored, usedAt);
    const surgeOf = new Map(stored.map((p) => [p.streamerId, committedSurgeState(p)]));
    this.surges.load(missing.map((streamerId) => ({ streamerId, state: surgeOf.get(streamerId) })));
  }

  private untilStored<T>(control: BatchControl, call: () => Promise<T>): Promise<T> {
    return untilStored(this.deps, control, call);
  }
}

/** What the loop over a batch's emotes needs of one streamer, looked up once per batch, and its run. */
interface StreamerState extends StreamerRun {
  stats: StreamerWindowCounts;
}
