import { describe, expect, it } from "vitest";
import { planCapacity, type Demand } from "./plan.ts";
import { MEASURED, type UnitCosts } from "./unit-costs.ts";

const demand = (over: Partial<Demand> = {}): Demand => ({
  viewers: 1_000_000,
  streamers: 20_000,
  emotesPerViewerPerMinute: 6,
  peakFactor: 3,
  momentsPerStreamerPerHour: 12,
  headroom: 0.2,
  historyDays: 30,
  rawRetentionHours: 24,
  workerCores: 1,
  gatewayCores: 1,
  brokerCores: 4,
  ...over,
});

// Round numbers, so each expectation can be worked out by hand.
const costs: UnitCosts = {
  ...MEASURED,
  workerCpuSecondsPerMillionEmotes: 20,
  gatewayCpuMsPerThousandEmotes: 50,
  gatewayCpuMicrosPerFrame: 10,
  gatewayConnectionsPerCore: 5_000,
  brokerCpuMsPerThousandEmotes: 10,
  rawRecordBytes: 200,
  postgresBytesPerMoment: 500,
};

describe("planCapacity", () => {
  const p = planCapacity(demand(), costs);

  it("derives the rates: 1M viewers × 6/min = 100,000 emotes/s, ×3 at the peak", () => {
    expect(p.emotesPerSecond).toEqual({ average: 100_000, peak: 300_000 });
    expect(p.framesPerSecond).toBeCloseTo(1_000_000 * (12 / 3600), 6);
  });

  it("sizes workers by CPU at the peak, and partitions with room for four times that", () => {
    // 300,000/s × 20 µs = 6 cores; at 80 % → 7.5 → 8 workers; ×4 = 32 → next twelve: 36.
    expect(p.workers.peakCores).toBeCloseTo(6, 9);
    expect(p.workers.atPeak).toBe(8);
    expect(p.partitions).toBe(36);
    expect(p.workers.max).toBe(p.partitions);
    // The average is a third: 2 cores / 0.8 → 3 workers.
    expect(p.workers.min).toBe(3);
  });

  it("sizes gateways by connections when sockets, not CPU, are the limit", () => {
    // 5,000 × 0.8 = 4,000 per pod → 250 pods; CPU: 300,000 × 50 µs + 3,333 × 10 µs = 15.03 cores → 19.
    expect(p.gateways.connectionsTarget).toBe(4_000);
    expect(p.gateways.byConnections).toBe(250);
    expect(p.gateways.byCpu).toBe(19);
    expect(p.gateways.atPeak).toBe(250);
    expect(p.gateways.hpaMax).toBe(300);
  });

  it("sizes gateways by CPU when every viewer sends a lot", () => {
    const busy = planCapacity(
      demand({ viewers: 10_000, streamers: 10, emotesPerViewerPerMinute: 600 }),
      costs,
    );
    // 100,000/s average, 300,000/s peak × 50 µs = 15 cores + frames → 19 pods, beyond 10,000 / 4,000 → 3.
    expect(busy.gateways.byConnections).toBe(3);
    expect(busy.gateways.atPeak).toBe(busy.gateways.byCpu);
    expect(busy.gateways.byCpu).toBe(19);
  });

  it("sizes brokers in threes by replicated CPU, and their disk by the raw topic's retention", () => {
    // 300,000 × 10 µs × 3 replicas = 9 cores; 4-core brokers at 80 % → 3.2 each → 3 → 3 brokers.
    expect(p.brokers.cores).toBeCloseTo(9, 9);
    expect(p.brokers.count).toBe(3);
    // 100,000/s × 200 B × 86,400 s × 3 replicas / 3 brokers / 0.8 = 2,160 GB = 2,011.7 GiB → 2,012.
    expect(p.brokers.diskGiBEach).toBe(2012);
  });

  it("sizes PostgreSQL by the moments kept", () => {
    // 20,000 × 12 × 24 = 5,760,000 a day; × 30 days × 500 B / 0.8 = 108 GB = 100.6 GiB → 101.
    expect(p.postgres.momentsPerDay).toBe(5_760_000);
    expect(p.postgres.storageGiB).toBe(101);
    expect(p.postgres.instances).toBe(3);
  });

  it("keeps the minimums for a tiny audience", () => {
    const tiny = planCapacity(demand({ viewers: 10, streamers: 1 }), costs);
    expect(tiny.workers.atPeak).toBe(2);
    expect(tiny.gateways.atPeak).toBe(3);
    expect(tiny.brokers.count).toBe(3);
    expect(tiny.partitions).toBe(12);
  });
});
