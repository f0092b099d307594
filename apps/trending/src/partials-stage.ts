import type { BatchControl, BusProducer, IncomingRecord, RecordBatch } from "@emote/bus";
import {
  aggregatedMessageSchema,
  trendingPartialSchema,
  windowStatsSchema,
  type TrendingPartial,
  type TrendingSurge,
} from "@emote/contracts";
import type { StoredStreamerMinute, TrendingCheckpoint, TrendingPartialCommit } from "@emote/db";
import type { Logger } from "@emote/observability";
import type { z } from "zod";
import { PartialStep, type StatsInput } from "./partial-step.ts";
import { splitPartial } from "./partial-split.ts";
import type { TrendingMetrics } from "./trending-metrics.ts";

/** The merge's input is one ordered log: every partial goes to one partition under this key. */
export const MERGE_KEY = "platform";

export interface PartialsStore {
  loadCheckpoint(topic: string, partition: number): Promise<TrendingCheckpoint | null>;
  loadMinutes(topic: string, partition: number): Promise<StoredStreamerMinute[]>;
  commit(c: Omit<TrendingPartialCommit, "groupId">): Promise<void>;
  isSuperseded(err: unknown): boolean;
}

interface PartitionState {
  step: PartialStep;
  checkpoint: { nextOffset: number; seq: number } | null;
}

export interface PartialsStageDeps {
  topics: { stats: string; aggregated: string; trendingPartials: string };
  producer: BusProducer;
  store: PartialsStore;
  log: Logger;
  metrics?: TrendingMetrics;
  now?: () => number;
}

/**
 * The partial step on the bus: per partition of `emote-window-stats` and
 * `aggregated-emote-data`, each batch becomes at most a few partials (signed minute
 * deltas, intensity, surges), committed to PostgreSQL with the partition's next offset
 * and the step's snapshots in one transaction, then published. A record below the stored
 * offset is a replay and skipped; partials a crashed owner may not have published are
 * published again by the next owner (the merge drops repeats by seq).
 */
export class PartialsStage {
  private readonly partitions = new Map<string, PartitionState>();

  constructor(private readonly deps: PartialsStageDeps) {}

  /** The group rebalanced: ownership is void, state is reloaded as batches arrive. */
  reset(): void {
    this.partitions.clear();
  }

  /** Streamer-minutes held in memory over all partitions. */
  size(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.step.size();
    return n;
  }

  async handle(batch: RecordBatch, control: BatchControl): Promise<void> {
    const key = `${batch.topic}:${batch.partition}`;
    try {
      await this.apply(key, batch, control);
    } catch (err) {
      // Whatever the step applied in memory is not durable: reload from the last commit.
      this.partitions.delete(key);
      if (this.deps.store.isSuperseded(err)) {
        this.deps.log.warn({ source: key }, "partition moved on under another owner: batch dropped");
        return;
      }
      throw err;
    }
  }

  private async apply(key: string, batch: RecordBatch, control: BatchControl): Promise<void> {
    const state = this.partitions.get(key) ?? (await this.load(key, batch.topic, batch.partition));
    const from = state.checkpoint?.nextOffset ?? 0;
    const fresh = batch.records.filter((r) => Number(r.offset) >= from);
    const last = batch.records.at(-1);
    if (fresh.length === 0 || !last) {
      if (last) await control.commit(last.offset);
      return;
    }
    const stats: StatsInput[] = [];
    const surges: TrendingSurge[] = [];
    let invalid = 0;
    const reasons = new Set<string>();
    let at = 0;
    for (const record of fresh) {
      const recordTimeMs = Number(record.timestamp ?? 0);
      at = Math.max(at, recordTimeMs);
      const parsed =
        batch.topic === this.deps.topics.stats
          ? windowStatsSchema.safeParse(parseJson(record))
          : aggregatedMessageSchema.safeParse(parseJson(record));
      if (!parsed.success) {
        invalid++;
        if (reasons.size < MAX_LOGGED_REASONS) reasons.add(reasonOf(record, parsed.error));
      } else if (Array.isArray(parsed.data)) surges.push(...parsed.data.flatMap(surgeOf));
      else stats.push({ stats: parsed.data, recordTimeMs });
    }
    if (invalid > 0) {
      this.deps.metrics?.invalidRecords.inc({ step: "partials" }, invalid);
      // A malformed record (a sketch that does not decode, a count that is not one) is
      // skipped, never applied: the log says which and why.
      this.deps.log.warn(
        { source: key, invalid, reasons: [...reasons] },
        "skipped records that do not match their topic's contract",
      );
    }
    const delta = state.step.apply(stats);
    const seq0 = state.checkpoint?.seq ?? 0;
    const partials = splitPartial({
      source: key,
      seq: seq0 + 1,
      at,
      minutes: delta.minutes,
      intensity: delta.intensity,
      surges,
      viewers: delta.viewers,
    });
    const next = { nextOffset: Number(last.offset) + 1, seq: seq0 + partials.length };
    const started = this.now();
    await this.deps.store.commit({
      topic: batch.topic,
      partition: batch.partition,
      previous: state.checkpoint,
      ...next,
      pending: partials,
      changed: delta.changed,
      horizon: delta.horizon,
    });
    state.checkpoint = next;
    this.deps.metrics?.committed("partials", at, (this.now() - started) / 1000);
    await this.publish(partials);
    await control.commit(last.offset);
  }

  private async load(key: string, topic: string, partition: number): Promise<PartitionState> {
    const checkpoint = await this.deps.store.loadCheckpoint(topic, partition);
    const step = new PartialStep();
    if (topic === this.deps.topics.stats) step.load(await this.deps.store.loadMinutes(topic, partition));
    if (checkpoint && checkpoint.pending.length > 0) {
      // The last owner may have died between its commit and its publication.
      const pending = checkpoint.pending.map((p) => trendingPartialSchema.parse(p));
      await this.publish(pending);
    }
    const state: PartitionState = {
      step,
      checkpoint: checkpoint && { nextOffset: checkpoint.nextOffset, seq: checkpoint.seq },
    };
    this.partitions.set(key, state);
    return state;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async publish(partials: readonly TrendingPartial[]): Promise<void> {
    if (partials.length === 0) return;
    await this.deps.producer.send([
      {
        topic: this.deps.topics.trendingPartials,
        records: partials.map((p) => ({ key: MERGE_KEY, value: JSON.stringify(p) })),
      },
    ]);
    this.deps.metrics?.partialsPublished.inc(partials.length);
  }
}

/** Distinct reasons logged per batch. */
const MAX_LOGGED_REASONS = 3;

function reasonOf(record: IncomingRecord, error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `offset ${record.offset}: ${where}${issue?.message ?? "not JSON"}`;
}

function parseJson(record: IncomingRecord): unknown {
  try {
    return JSON.parse(String(record.value));
  } catch {
    return undefined;
  }
}

/** A surge moment as the platform view carries it (threshold moments are not surges). */
function surgeOf(m: ReturnType<typeof aggregatedMessageSchema.parse>[number]): TrendingSurge[] {
  if (m.kind !== "surge" || !m.surge) return [];
  return [
    {
      momentId: m.id,
      streamerId: m.streamerId,
      emote: m.emote,
      score: m.surge.score,
      viewers: m.surge.viewers,
      startedAt: m.surge.startedAt,
      ...(m.surge.endedAt !== undefined && { endedAt: m.surge.endedAt }),
    },
  ];
}
