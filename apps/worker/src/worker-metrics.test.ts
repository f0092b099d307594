import { describe, expect, it } from "vitest";
import type { PartitionLag } from "@emote/bus";
import { createLogger, Registry } from "@emote/observability";
import { DLQ_REASONS } from "@emote/contracts";
import { WorkerMetrics } from "./worker-metrics.ts";

const log = createLogger({ service: "test", env: { LOG_LEVEL: "silent" } });

function lag(partition: number, behind: number): PartitionLag {
  return { topic: "raw", partition, committed: 100, end: 100 + behind, lag: behind };
}

async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) out[`${v.labels.topic}/${v.labels.partition}`] = v.value;
  return out;
}

describe("WorkerMetrics consumer lag", () => {
  it("reads the group's lag at scrape time: 0 s when caught up, else the age of the last record applied", async () => {
    const registry = new Registry();
    const clock = { now: 1_000_000 };
    const metrics = new WorkerMetrics(registry, log, () => clock.now);
    let answer: () => Promise<PartitionLag[]> = async () => [lag(0, 0), lag(1, 5), lag(2, 3)];
    let asked = 0;
    metrics.watchLag(() => {
      asked++;
      return answer();
    });
    metrics.applied("raw", 1, clock.now - 4_000);

    const text = await registry.metrics();
    expect(asked).toBe(1); // both gauges of a scrape share one question
    expect(text).toMatch(/^emote_worker_consumer_lag_messages\{topic="raw",partition="1"\} 5$/m);
    expect(await gauge(registry, "emote_worker_consumer_lag_messages")).toEqual({
      "raw/0": 0,
      "raw/1": 5,
      "raw/2": 3,
    });
    // Partition 2 is behind but nothing was applied on it here: how long its committed
    // offset has stood still, from this first sight on.
    expect(await gauge(registry, "emote_worker_consumer_lag_seconds")).toEqual({
      "raw/0": 0,
      "raw/1": 4,
      "raw/2": 0,
    });

    // Kafka unreachable: the last values stay.
    answer = () => Promise.reject(new Error("broker down"));
    clock.now += 10_000;
    expect(await gauge(registry, "emote_worker_consumer_lag_messages")).toEqual({
      "raw/0": 0,
      "raw/1": 5,
      "raw/2": 3,
    });
    expect(await gauge(registry, "emote_worker_consumer_lag_seconds")).toEqual({
      "raw/0": 0,
      "raw/1": 4,
      "raw/2": 0,
    });

    // After a rebalance the old positions are forgotten: partition 1's offset has not
    // moved since it was first seen behind, 10 s ago (a stuck group still shows).
    answer = async () => [lag(0, 0), lag(1, 2)];
    metrics.forgetApplied();
    expect(await gauge(registry, "emote_worker_consumer_lag_seconds")).toEqual({ "raw/0": 0, "raw/1": 10 });
    // Once its offset moves, the stall clock restarts.
    answer = async () => [lag(0, 0), { ...lag(1, 1), committed: 101 }];
    clock.now += 5_000;
    expect(await gauge(registry, "emote_worker_consumer_lag_seconds")).toEqual({ "raw/0": 0, "raw/1": 0 });
    expect(await gauge(registry, "emote_worker_consumer_lag_messages")).toEqual({ "raw/0": 0, "raw/1": 1 });
  });

  it("answers a scrape within 2 s when Kafka does not answer, keeping the last values", async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry, log);
    let hang = false;
    metrics.watchLag(() =>
      hang ? new Promise<PartitionLag[]>(() => undefined) : Promise.resolve([lag(0, 0)]),
    );
    await registry.metrics();
    hang = true;
    const started = performance.now();
    expect(await gauge(registry, "emote_worker_consumer_lag_messages")).toEqual({ "raw/0": 0 });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("has every DLQ reason at 0 from the start", async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry, log);
    const text = await registry.metrics();
    expect(text).toMatch(/^emote_worker_dlq_messages_total\{reason="not_json"\} 0$/m);
    expect(text).toMatch(/^emote_worker_emotes_consumed_total 0$/m);
    expect(await metrics.totals()).toEqual({
      consumed: 0,
      deadLettered: 0,
      moments: 0,
      analyses: 0,
      skippedReplayed: 0,
      settingsReloads: 0,
    });
    for (const reason of DLQ_REASONS) {
      expect(text).toContain(`emote_worker_dlq_messages_total{reason="${reason}"} 0`);
    }
  });
});
