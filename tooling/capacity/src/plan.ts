import type { UnitCosts } from "./unit-costs.ts";

/** What the operator expects; `npm run capacity -- --help` says each flag and its default. */
export interface Demand {
  viewers: number;
  streamers: number;
  /** Emotes a viewer sends per minute on average. */
  emotesPerViewerPerMinute: number;
  /** Peak emote rate ÷ average (a hype moment makes a whole audience react at once). */
  peakFactor: number;
  /** Moments a streamer's audience causes per hour; each goes to all of that streamer's viewers. */
  momentsPerStreamerPerHour: number;
  /** Share of each unit kept free at the peak (0.2: every unit runs at 80 % at most). */
  headroom: number;
  /** Days of moment history PostgreSQL keeps. */
  historyDays: number;
  /** How long raw-emote-data keeps its records (its retention.ms). */
  rawRetentionHours: number;
  workerCores: number;
  gatewayCores: number;
  brokerCores: number;
}

export const REPLICATION_FACTOR = 3;
/** The KRaft quorum, the replicas and the zones: three of each, growing in threes. */
const BROKER_STEP = 3;
/**
 * Partitions cannot shrink, and adding some moves streamers between partitions (their emotes'
 * order is per partition), so they are made once with room: four times the peak's workers, in
 * twelves (a multiple of every broker count up to 4, 6 and 12, so leaders spread evenly).
 */
const PARTITION_GROWTH = 4;
const PARTITION_STEP = 12;
/** Whole units: at least three brokers, PostgreSQL instances and gateways, two workers. */
const MIN_GATEWAYS = 3;
const MIN_WORKERS = 2;
const POSTGRES_INSTANCES = 3;
const GIB = 2 ** 30;

export interface Plan {
  emotesPerSecond: { average: number; peak: number };
  framesPerSecond: number;
  partitions: number;
  workers: { peakCores: number; min: number; max: number; atPeak: number; memoryMiB: number };
  gateways: {
    byConnections: number;
    byCpu: number;
    atPeak: number;
    hpaMax: number;
    connectionsTarget: number;
    memoryMiB: number;
  };
  brokers: { cores: number; count: number; diskGiBEach: number };
  postgres: { instances: number; momentsPerDay: number; storageGiB: number; momentWritesPerSecond: number };
}

const roundUpTo = (n: number, step: number) => Math.ceil(n / step) * step;

export function planCapacity(d: Demand, c: UnitCosts): Plan {
  const usable = 1 - d.headroom;
  const average = (d.viewers * d.emotesPerViewerPerMinute) / 60;
  const peak = average * d.peakFactor;
  // Every viewer follows one streamer's moments; dashboards are few beside a million viewers.
  const framesPerSecond = (d.viewers * d.momentsPerStreamerPerHour) / 3600;

  const workerPeakCores = (peak * c.workerCpuSecondsPerMillionEmotes) / 1e6;
  const workersAtPeak = Math.max(MIN_WORKERS, Math.ceil(workerPeakCores / (d.workerCores * usable)));
  const workersAtAverage = Math.max(
    MIN_WORKERS,
    Math.ceil(workerPeakCores / d.peakFactor / (d.workerCores * usable)),
  );
  const partitions = roundUpTo(Math.max(PARTITION_GROWTH * workersAtPeak, PARTITION_STEP), PARTITION_STEP);

  const connectionsTarget = Math.floor(c.gatewayConnectionsPerCore * d.gatewayCores * usable);
  const byConnections = Math.ceil(d.viewers / connectionsTarget);
  const gatewayPeakCores =
    (peak * c.gatewayCpuMsPerThousandEmotes) / 1e6 + (framesPerSecond * c.gatewayCpuMicrosPerFrame) / 1e6;
  const byCpu = Math.ceil(gatewayPeakCores / (d.gatewayCores * usable));
  const gatewaysAtPeak = Math.max(MIN_GATEWAYS, byConnections, byCpu);

  const brokerCores = (peak * c.brokerCpuMsPerThousandEmotes * REPLICATION_FACTOR) / 1e6;
  const brokers = Math.max(
    BROKER_STEP,
    roundUpTo(Math.ceil(brokerCores / (d.brokerCores * usable)), BROKER_STEP),
  );
  const rawBytesKept = average * c.rawRecordBytes * d.rawRetentionHours * 3600 * REPLICATION_FACTOR;

  const momentsPerDay = d.streamers * d.momentsPerStreamerPerHour * 24;
  return {
    emotesPerSecond: { average, peak },
    framesPerSecond,
    partitions,
    workers: {
      peakCores: workerPeakCores,
      min: workersAtAverage,
      max: partitions,
      atPeak: workersAtPeak,
      memoryMiB: Math.ceil(c.workerMemoryMiB / 64) * 64,
    },
    gateways: {
      byConnections,
      byCpu,
      atPeak: gatewaysAtPeak,
      hpaMax: Math.ceil(gatewaysAtPeak * 1.2),
      connectionsTarget,
      memoryMiB:
        Math.ceil(
          (c.gatewayBaseMemoryMiB + (connectionsTarget * c.gatewayMemoryKiBPerConnection) / 1024) / 64,
        ) * 64,
    },
    brokers: {
      cores: brokerCores,
      count: brokers,
      diskGiBEach: Math.ceil(rawBytesKept / brokers / usable / GIB),
    },
    postgres: {
      instances: POSTGRES_INSTANCES,
      momentsPerDay,
      storageGiB: Math.ceil((momentsPerDay * d.historyDays * c.postgresBytesPerMoment) / usable / GIB),
      momentWritesPerSecond: momentsPerDay / 86_400,
    },
  };
}
