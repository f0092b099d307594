import type { Demand, Plan } from "./plan.ts";
import { REPLICATION_FACTOR } from "./plan.ts";
import { UNIT_COSTS } from "./unit-costs.ts";

const n = (v: number, digits = 0) => v.toLocaleString("en-US", { maximumFractionDigits: digits });

/** The plan as the operator reads it: the answer first, then what it rests on. */
export function formatPlan(d: Demand, p: Plan): string {
  const lines = [
    `Capacity for ${n(d.viewers)} viewers of ${n(d.streamers)} streamers`,
    "",
    `  emotes             ${n(p.emotesPerSecond.average)}/s average, ${n(p.emotesPerSecond.peak)}/s at the peak (×${d.peakFactor})`,
    `  moment frames      ${n(p.framesPerSecond)}/s to viewers`,
    "",
    `  partitions         ${p.partitions} per topic (raw-emote-data bounds the workers; room for ×4)`,
    `  workers            ${p.workers.min}–${p.workers.max} (KEDA min–max); ${p.workers.atPeak} at the peak = ${n(p.workers.peakCores, 1)} cores; ${d.workerCores} core, ${p.workers.memoryMiB} MiB each`,
    `  gateways           ${p.gateways.atPeak} at the peak (${p.gateways.byConnections} by connections, ${p.gateways.byCpu} by CPU); HPA target ${n(p.gateways.connectionsTarget)} connections per pod, max ${p.gateways.hpaMax}; ${d.gatewayCores} core, ${p.gateways.memoryMiB} MiB each`,
    `  Kafka brokers      ${p.brokers.count} × ${d.brokerCores} cores (${n(p.brokers.cores, 1)} cores of broker work at the peak, replication ${REPLICATION_FACTOR}), ${n(p.brokers.diskGiBEach)} GiB disk each for ${d.rawRetentionHours} h of raw emotes; 3 KRaft controllers`,
    `  PostgreSQL         ${p.postgres.instances} instances (primary + 2 replicas), ${n(p.postgres.storageGiB)} GiB each for ${d.historyDays} days of moments (${n(p.postgres.momentsPerDay)} a day, ${n(p.postgres.momentWritesPerSecond, 1)}/s)`,
    "",
    "Assumptions:",
    `  a viewer sends ${d.emotesPerViewerPerMinute} emotes a minute on average and holds one WebSocket; a streamer causes ${d.momentsPerStreamerPerHour} moments an hour;`,
    `  every unit runs at ≤ ${n((1 - d.headroom) * 100)} % at the peak (--headroom ${d.headroom}); costs scale linearly with cores (measured on one).`,
    "Per-unit costs (measured):",
    ...Object.values(UNIT_COSTS).map((c) => `  ${n(c.value, 1)} ${c.unit}\n      from ${c.source}`),
  ];
  return `${lines.join("\n")}\n`;
}
