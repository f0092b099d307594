/**
 * What one unit of each part costs, as the benchmarks measured it (BENCHMARKS.md, runs of
 * 2026-12, on 2 shared cores with Kafka and PostgreSQL beside the code: a dedicated core does
 * at least as well). Each constant names its source; `npm run capacity` prints them all.
 * Where a range was measured, the worse end is taken.
 */
export interface UnitCost {
  value: number;
  unit: string;
  source: string;
}

export const UNIT_COSTS = {
  workerCpuSecondsPerMillionEmotes: {
    value: 20.9,
    unit: "CPU-s per 1M emotes",
    source:
      "BENCHMARKS.md § bench:pipeline, latest run of the current code (with the moment log, loaded machine); a quiet run measured 9.6",
  },
  workerMemoryMiB: {
    value: 676,
    unit: "MiB peak RSS per worker",
    source: "BENCHMARKS.md § bench:pipeline, full run at the defaults",
  },
  gatewayCpuMsPerThousandEmotes: {
    value: 71,
    unit: "CPU-ms per 1,000 accepted emotes.send",
    source: "BENCHMARKS.md § bench:ingest, fast paths, 64–71 at 5,000 viewers",
  },
  gatewayCpuMicrosPerFrame: {
    value: 13,
    unit: "CPU-µs per subscription frame written",
    source: "BENCHMARKS.md § bench:fanout, ~10–13 µs CPU per frame",
  },
  gatewayConnectionsPerCore: {
    value: 5_000,
    unit: "WebSockets per gateway core within the p99 < 250 ms target",
    source: "BENCHMARKS.md § bench:fanout, direct: p99 167 ms at 5,000 subscribers, 673 ms at 7,000",
  },
  gatewayBaseMemoryMiB: {
    value: 186,
    unit: "MiB RSS of a gateway without sockets",
    source:
      "BENCHMARKS.md § bench:fanout, 204 MiB at 1,000 and 275 MiB at 5,000 subscribers, extrapolated to 0",
  },
  gatewayMemoryKiBPerConnection: {
    value: 18,
    unit: "KiB RSS per WebSocket",
    source: "BENCHMARKS.md § bench:fanout, (275 − 204) MiB / 4,000 subscribers",
  },
  brokerCpuMsPerThousandEmotes: {
    value: 13,
    unit: "CPU-ms per 1,000 emotes per replica",
    source: "BENCHMARKS.md § bench:ingest, broker column, one KRaft node (replication factor 1): 12–13",
  },
  rawRecordBytes: {
    value: 240,
    unit: "bytes per raw emote on disk (value, key, traceparent header, batch overhead)",
    source:
      "docs/contracts.md § raw-emote-data: a ~110-byte JSON value, a 55-byte traceparent, ~75 bytes of record",
  },
  postgresBytesPerMoment: {
    value: 544,
    unit: "bytes per stored moment, indexes included",
    source:
      "docs/capacity.md § bytes per moment: 200,000 moments of 20,000 streamers, pg_total_relation_size / rows",
  },
} as const satisfies Record<string, UnitCost>;

export type UnitCosts = { [K in keyof typeof UNIT_COSTS]: number };

export const MEASURED: UnitCosts = Object.fromEntries(
  Object.entries(UNIT_COSTS).map(([k, c]) => [k, c.value]),
) as UnitCosts;
