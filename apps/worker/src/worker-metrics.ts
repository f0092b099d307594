import type { PartitionLag } from "@emote/bus";
import { DLQ_REASONS } from "@emote/contracts";
import { withDeadline } from "@emote/lifecycle";
import { Counter, Gauge, Histogram, errorMessage, type Logger, type Registry } from "@emote/observability";

const LAG_TIMEOUT_MS = 2_000;

/** What the counters say, for the progress log line and tests. */
export interface WorkerTotals {
  consumed: number;
  deadLettered: number;
  moments: number;
  analyses: number;
  skippedReplayed: number;
  settingsReloads: number;
}

/**
 * The worker's metrics on a process registry. Counters move once a batch's effects are
 * durable (moments stored, offset committed), so what they count can be found stored.
 * The lag gauges are read at scrape time from the consumer group's committed offsets
 * (see `watchLag`).
 */
export class WorkerMetrics {
  readonly emotesConsumed: Counter;
  readonly dlqMessages: Counter<"reason">;
  readonly momentsEmitted: Counter;
  readonly analyses: Counter;
  readonly skippedReplayed: Counter;
  readonly earlierLogCheckpoints: Counter<"topic" | "partition">;
  readonly batchDuration: Histogram;
  readonly settingsReloads: Counter<"scope">;
  readonly databaseRetries: Counter;
  private readonly lagMessages: Gauge<"topic" | "partition">;
  private readonly lagSeconds: Gauge<"topic" | "partition">;
  /** Per topic, per partition: timestamp (epoch ms) of the last record this worker applied. */
  private readonly lastApplied = new Map<string, Map<number, number>>();
  private lagSource: (() => Promise<PartitionLag[]>) | undefined;
  private lagRefresh: Promise<void> | undefined;
  /** Per partition behind: the committed offset last seen and since when it stood there. */
  private readonly stalls = new Map<string, { committed: number; since: number }>();

  constructor(
    registry: Registry,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const registers = [registry];
    this.emotesConsumed = new Counter({
      name: "emote_worker_emotes_consumed_total",
      help: "Records read from raw-emote-data (valid or not), counted once their effects are durable",
      registers,
    });
    this.dlqMessages = new Counter({
      name: "emote_worker_dlq_messages_total",
      help: "Records sent to raw-emote-data.dlq, by reason (DLQ_REASONS of @emote/contracts)",
      labelNames: ["reason"],
      registers,
    });
    // Every reason at 0 from the start, so rate() and the DLQ ratio have series to work with.
    for (const reason of DLQ_REASONS) this.dlqMessages.inc({ reason }, 0);
    this.momentsEmitted = new Counter({
      name: "emote_worker_moments_emitted_total",
      help: "Moments published to aggregated-emote-data and stored",
      registers,
    });
    this.analyses = new Counter({
      name: "emote_worker_analyses_total",
      help: "Streamer batches analysed (each closes after the streamer's interval of emotes)",
      registers,
    });
    this.skippedReplayed = new Counter({
      name: "emote_worker_replayed_records_skipped_total",
      help: "Records redelivered after a crash or rebalance that were already applied, so skipped",
      registers,
    });
    this.earlierLogCheckpoints = new Counter({
      name: "emote_worker_earlier_log_checkpoints_total",
      help: "Stored checkpoints found beyond their partition's end (the topic was recreated), so the new log was applied from its start",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.batchDuration = new Histogram({
      name: "emote_worker_analysis_batch_duration_seconds",
      help: "Time to handle one consumed Kafka batch end to end: parse, analyse, produce, store, commit",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.databaseRetries = new Counter({
      name: "emote_worker_database_retries_total",
      help: "Store calls of a batch tried again because PostgreSQL could not be reached",
      registers,
    });
    this.settingsReloads = new Counter({
      name: "emote_worker_settings_reloads_total",
      help: "Reloads of the analysis settings from PostgreSQL: scope streamers (those named by a burst of change notifications) or full (on a reconnection of the listener)",
      labelNames: ["scope"],
      registers,
    });
    this.lagMessages = new Gauge({
      name: "emote_worker_consumer_lag_messages",
      help: "Records on the partition not yet committed by the consumer group (high watermark - committed)",
      labelNames: ["topic", "partition"],
      registers,
      collect: () => this.refreshLag(),
    });
    this.lagSeconds = new Gauge({
      name: "emote_worker_consumer_lag_seconds",
      help: "0 when caught up, else now - timestamp of the last record this worker applied on the partition",
      labelNames: ["topic", "partition"],
      registers,
      collect: () => this.refreshLag(),
    });
  }

  /** Reads the group's lag at each scrape from `source` (the consumer). */
  watchLag(source: () => Promise<PartitionLag[]>): void {
    this.lagSource = source;
  }

  /** Records up to one produced at `timestampMs` are applied on the partition. Once per batch. */
  applied(topic: string, partition: number, timestampMs: number): void {
    let partitions = this.lastApplied.get(topic);
    if (!partitions) {
      partitions = new Map();
      this.lastApplied.set(topic, partitions);
    }
    partitions.set(partition, timestampMs);
  }

  /**
   * After a rebalance: partitions this worker had may be another's now, and their old
   * timestamps would overstate the lag that member has.
   */
  forgetApplied(): void {
    this.lastApplied.clear();
  }

  async totals(): Promise<WorkerTotals> {
    const [consumed, deadLettered, moments, analyses, skippedReplayed, settingsReloads] = await Promise.all(
      [
        this.emotesConsumed,
        this.dlqMessages,
        this.momentsEmitted,
        this.analyses,
        this.skippedReplayed,
        this.settingsReloads,
      ].map(counterTotal),
    );
    return {
      consumed: consumed ?? 0,
      deadLettered: deadLettered ?? 0,
      moments: moments ?? 0,
      analyses: analyses ?? 0,
      skippedReplayed: skippedReplayed ?? 0,
      settingsReloads: settingsReloads ?? 0,
    };
  }

  /** Both lag gauges of one scrape share one question to Kafka. */
  private refreshLag(): Promise<void> {
    this.lagRefresh ??= this.readLag().finally(() => {
      this.lagRefresh = undefined;
    });
    return this.lagRefresh;
  }

  private async readLag(): Promise<void> {
    if (!this.lagSource) return;
    let lags: PartitionLag[];
    try {
      // A scrape must not wait on Kafka's retries: Prometheus would give up on the whole
      // target (readiness included) just when the outage should show.
      lags = await withDeadline(this.lagSource(), LAG_TIMEOUT_MS, `no answer within ${LAG_TIMEOUT_MS} ms`);
    } catch (err) {
      // Kafka unreachable: keep the last values; readiness reports the outage.
      this.log.debug({ err: errorMessage(err) }, "consumer lag not read");
      return;
    }
    const now = this.now();
    lags.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    this.lagMessages.reset();
    this.lagSeconds.reset();
    for (const l of lags) {
      const labels = { topic: l.topic, partition: String(l.partition) };
      const key = `${l.topic}\u0000${l.partition}`;
      this.lagMessages.set(labels, l.lag);
      if (l.lag === 0) {
        this.stalls.delete(key);
        this.lagSeconds.set(labels, 0);
        continue;
      }
      let stall = this.stalls.get(key);
      if (stall?.committed !== l.committed) {
        stall = { committed: l.committed, since: now };
        this.stalls.set(key, stall);
      }
      const at = this.lastApplied.get(l.topic)?.get(l.partition);
      // Applied here: since the last record applied. Otherwise (another member's, or none
      // applied since a rebalance): how long the group's offset has stood still while
      // behind — a lower bound, so a stuck group still shows and alerts.
      this.lagSeconds.set(labels, Math.max(0, (now - (at ?? stall.since)) / 1000));
    }
  }
}

async function counterTotal(metric: Counter<string>): Promise<number> {
  let sum = 0;
  for (const v of (await metric.get()).values) sum += v.value;
  return sum;
}
