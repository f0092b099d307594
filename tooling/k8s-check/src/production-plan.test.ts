import { MEASURED, parseDemand, planCapacity } from "@emote/capacity";
import { TOPIC_CONFIG } from "@emote/bus";
import { describe, expect, it } from "vitest";
import type { K8sObject } from "./manifest.ts";
import { buildOverlay } from "./manifest.ts";

// The production overlay is `npm run capacity -- --viewers 1000000 --streamers 20000` written
// down: when the measured costs or the model change, this fails until the overlay follows.
const plan = planCapacity(
  parseDemand(
    ["--viewers", "1000000", "--streamers", "20000"],
    Number(TOPIC_CONFIG.raw["retention.ms"]) / 3_600_000,
  ).demand,
  MEASURED,
);
const objects = buildOverlay("production");

function spec(kind: string, name?: string): Record<string, unknown> {
  const o = objects.find(
    (x: K8sObject) => x.kind === kind && (name === undefined || x.metadata.name === name),
  );
  if (!o) throw new Error(`no ${kind}/${name ?? "*"}`);
  return o.spec as Record<string, unknown>;
}
const gib = (size: unknown) => Number(/^(\d+)Gi$/.exec(String(size))?.[1]);
const firstVolume = (pool: Record<string, unknown>) =>
  (pool.storage as { volumes: { size: string }[] }).volumes[0]?.size;

describe("the production overlay follows the capacity plan for a million viewers", () => {
  it("topics and workers", () => {
    for (const t of objects.filter((o) => o.kind === "KafkaTopic"))
      expect((t.spec as { partitions: number }).partitions).toBe(plan.partitions);
    expect(spec("ScaledObject")).toMatchObject({
      minReplicaCount: plan.workers.min,
      maxReplicaCount: plan.workers.max,
    });
  });

  it("gateways", () => {
    const hpa = spec("HorizontalPodAutoscaler") as {
      maxReplicas: number;
      metrics: { pods: { target: { averageValue: string } } }[];
    };
    expect(hpa.maxReplicas).toBe(plan.gateways.hpaMax);
    expect(Number(hpa.metrics[0]?.pods.target.averageValue)).toBe(plan.gateways.connectionsTarget);
  });

  it("Kafka brokers and their disks", () => {
    const brokers = spec("KafkaNodePool", "brokers");
    expect(brokers.replicas).toBe(plan.brokers.count);
    expect(gib(firstVolume(brokers))).toBeGreaterThanOrEqual(plan.brokers.diskGiBEach);
    expect((brokers.resources as { requests: { cpu: string } }).requests.cpu).toBe("4");
  });

  it("PostgreSQL", () => {
    const pg = spec("Cluster", "emote-pg") as { instances: number; storage: { size: string } };
    expect(pg.instances).toBe(plan.postgres.instances);
    expect(gib(pg.storage.size)).toBeGreaterThanOrEqual(plan.postgres.storageGiB);
  });
});
