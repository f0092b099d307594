import type { BatchControl, BusProducer, OutgoingRecord, RecordBatch, TopicNames } from "@emote/bus";
import { parseRawEmote, type Moment } from "@emote/contracts";
import type { AnalysisCommit, StreamerProgress } from "@emote/db";
import { deadLetter } from "./dead-letter.ts";
import type { SettingsCache } from "./settings-cache.ts";
import { StreamerBatch } from "./streamer-batches.ts";

/** Durable progress, kept in the same store as the moments. */
export interface ProgressStore {
  loadCheckpoint(topic: string, partition: number): Promise<bigint | null>;
  loadStreamers(streamerIds: string[]): Promise<StreamerProgress[]>;
  commit(c: Omit<AnalysisCommit, "groupId">): Promise<void>;
}

export interface WorkerCounters {
  consumed: number;
  deadLettered: number;
  moments: number;
  analyses: number;
  skippedReplayed: number;
}

export function newCounters(): WorkerCounters {
  return { consumed: 0, deadLettered: 0, moments: 0, analyses: 0, skippedReplayed: 0 };
}

/**
 * Turns one partition's batch of raw emotes into moments. Order of effects per batch:
 * produce moments and dead letters (acks all) → store moments, open batches and the
 * partition checkpoint in one transaction → commit the Kafka offset. A crash anywhere
 * replays from the stored checkpoint, and records below it are skipped, so no emote is
 * counted twice and moment ids repeat exactly.
 */
export class PartitionProcessor {
  private readonly streamers = new Map<string, StreamerBatch>();
  private readonly checkpoints = new Map<string, bigint | null>();

  constructor(
    private readonly deps: {
      topics: TopicNames;
      producer: BusProducer;
      store: ProgressStore;
      settings: SettingsCache;
      counters: WorkerCounters;
    },
  ) {}

  /** Forget in-memory state: after a rebalance another worker may have moved it on. */
  reset(): void {
    this.streamers.clear();
    this.checkpoints.clear();
  }

  async handle(batch: RecordBatch, control: BatchControl): Promise<void> {
    try {
      await this.process(batch, control);
    } catch (err) {
      // Memory may be ahead of what was stored; reload from the store on the retry.
      this.reset();
      throw err;
    }
  }

  private async process(batch: RecordBatch, control: BatchControl): Promise<void> {
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    if (!this.checkpoints.has(key)) {
      this.checkpoints.set(key, await this.deps.store.loadCheckpoint(topic, partition));
    }
    const checkpoint = this.checkpoints.get(key) ?? null;

    const parsed = [];
    let lastOffset: string | undefined;
    for (const record of batch.records) {
      if (!control.shouldContinue()) break;
      lastOffset = record.offset;
      if (checkpoint !== null && BigInt(record.offset) < checkpoint) {
        this.deps.counters.skippedReplayed++;
        continue;
      }
      parsed.push({ record, result: parseRawEmote(record.value) });
    }
    if (lastOffset === undefined) return;

    await this.loadStreamers(parsed.flatMap((p) => (p.result.ok ? [p.result.value.streamerId] : [])));

    const analyses: { streamerId: string; moments: Moment[] }[] = [];
    const dead: OutgoingRecord[] = [];
    const touched = new Set<StreamerBatch>();
    for (const { record, result } of parsed) {
      if (!result.ok) {
        dead.push(deadLetter(record, batch, result.reason));
        continue;
      }
      const e = result.value;
      const streamer = this.streamers.get(e.streamerId);
      if (!streamer) throw new Error(`streamer ${e.streamerId} was not loaded`);
      touched.add(streamer);
      const moments = streamer.add(e, this.deps.settings.for(e.streamerId));
      if (moments === null) continue;
      this.deps.counters.analyses++;
      if (moments.length > 0) analyses.push({ streamerId: e.streamerId, moments });
    }

    await this.deps.producer.send([
      {
        topic: this.deps.topics.aggregated,
        records: analyses.map((a) => ({ key: a.streamerId, value: JSON.stringify(a.moments) })),
      },
      { topic: this.deps.topics.dlq, records: dead },
    ]);
    const nextOffset = BigInt(lastOffset) + 1n;
    await this.deps.store.commit({
      topic,
      partition,
      nextOffset,
      streamers: [...touched].map((s) => s.toProgress()),
      moments: analyses.flatMap((a) => a.moments),
    });
    this.checkpoints.set(key, nextOffset);
    await control.commit(lastOffset);

    const c = this.deps.counters;
    c.consumed += parsed.length;
    c.deadLettered += dead.length;
    for (const a of analyses) c.moments += a.moments.length;
  }

  private async loadStreamers(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.streamers.has(id));
    if (missing.length === 0) return;
    for (const p of await this.deps.store.loadStreamers(missing)) {
      this.streamers.set(p.streamerId, StreamerBatch.fromProgress(p));
    }
    for (const id of missing) if (!this.streamers.has(id)) this.streamers.set(id, new StreamerBatch(id));
  }
}
