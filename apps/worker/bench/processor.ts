/**
 * npm run bench:processor — the worker's batch analysis without the broker or the database
 * on this machine: bench:pipeline's seeded emotes, cut into partition batches as a draining
 * worker gets them, through `PartitionProcessor` (parse thread, analysis, the commit's
 * JSON) with a store and a producer that answer at once. Three workers take turns each
 * round: the seed's rule only, surge on the consumer's thread, surge on its own thread
 * (`WORKER_SURGE_THREAD`). It shows what the worker's threads do with the machine's cores to
 * themselves, as deployed (the broker and PostgreSQL elsewhere), which bench:pipeline on a
 * 2-core machine that also runs both cannot.
 */
import { parseArgs } from "node:util";
import { topicNames, type BatchControl, type BusProducer, type IncomingRecord } from "@emote/bus";
import { DEFAULT_SETTINGS, VIEWER_HEADER, type DetectorKind } from "@emote/contracts";
import { isDataError, isTransientDatabaseError, streamersJson, type StreamerProgress } from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { createLogger, Registry, startTracing, TraceIdSource } from "@emote/observability";
import { SettingsCache } from "@emote/settings";
import { threadParser } from "../src/parse-thread.ts";
import { PartitionProcessor } from "../src/partition-processor.ts";
import type { ProgressStore } from "../src/progress-store.ts";
import { inlineSurgeStage, type SurgeStage } from "../src/surge-stage.ts";
import { threadSurgeStage } from "../src/surge-thread.ts";
import { viewerHash } from "../src/viewer-header.ts";
import { WorkerMetrics } from "../src/worker-metrics.ts";
import { asStored } from "../test/stored-progress.ts";

const HELP = `Usage: npm run bench:processor -- [--emotes N] [--streamers N] [--viewers N] [--batch N] [--rounds N]

  --emotes N     emotes per worker run (default 300000)
  --streamers N  streamers (default 100)
  --viewers N    viewers per streamer, sent in the viewer header (default 0: none, as the seed's stream)
  --batch N      records per partition batch (default 5000)
  --rounds N     rounds of the three workers (default 3)

Prints emotes/s and CPU µs per emote of each worker per round, then the medians and the surge
workers' ratios to the seed's rule only.`;

const { values } = parseArgs({
  options: {
    emotes: { type: "string", default: "300000" },
    streamers: { type: "string", default: "100" },
    viewers: { type: "string", default: "0" },
    batch: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const options = {
  emotes: Number(values.emotes),
  streamers: Number(values.streamers),
  viewers: Number(values.viewers),
  batch: Number(values.batch),
  rounds: Number(values.rounds),
};
for (const [name, v] of Object.entries(options)) {
  if (!Number.isInteger(v) || v < (name === "viewers" ? 0 : 1)) {
    console.error(`--${name} must be a ${name === "viewers" ? "whole" : "positive whole"} number`);
    process.exit(2);
  }
}

const PARTITIONS = 6;
/** As WORKER_CONCURRENCY's default: partitions whose batches one worker handles at once. */
const CONCURRENCY = 3;
const topics = topicNames();

/** The emotes as a worker fetches them: per partition (by streamer), in batches. */
function partitionBatches(): IncomingRecord[][][] {
  const perPartition: IncomingRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  const traceIds = new TraceIdSource();
  for (const { viewer, ...m } of generateEmotes({
    seed: 1,
    streamers: options.streamers,
    start: Date.UTC(2010, 0, 1),
    count: options.emotes,
    rate: 1,
    viewers: options.viewers,
  })) {
    const records = perPartition[viewerHash(m.streamerId) % PARTITIONS] as IncomingRecord[];
    const headers: Record<string, Buffer> = { traceparent: Buffer.from(traceIds.traceparent()) };
    if (viewer !== undefined) headers[VIEWER_HEADER] = Buffer.from(viewer);
    records.push({
      key: null,
      value: Buffer.from(JSON.stringify(m)),
      headers,
      offset: String(records.length),
    });
  }
  return perPartition.map((records) => {
    const batches: IncomingRecord[][] = [];
    for (let i = 0; i < records.length; i += options.batch) batches.push(records.slice(i, i + options.batch));
    return batches;
  });
}

/** Answers at once; serialises what commitAnalysis sends PostgreSQL, as the worker's thread does. */
function memoryStore(): ProgressStore {
  const streamers = new Map<string, StreamerProgress>();
  let position = 0;
  return {
    loadCheckpoint: async () => null,
    dropEarlierLogCheckpoint: async () => undefined,
    loadLastCommitted: async () => [],
    loadStreamers: async (ids) => ids.flatMap((id) => streamers.get(id) ?? []).map(asStored),
    async commit(c) {
      streamersJson(c.streamers);
      JSON.stringify(c.moments);
      JSON.stringify(c.intensity);
      for (const s of c.streamers) streamers.set(s.streamerId, s);
      return c.moments.map(() => ++position);
    },
    isUnavailable: isTransientDatabaseError,
    isDataError,
  };
}

const producer: BusProducer = {
  async send(batches) {
    for (const b of batches) for (const r of b.records) void r.value;
  },
  async disconnect() {},
};

const control: BatchControl = {
  shouldContinue: () => true,
  heartbeat: async () => {},
  commit: async () => {},
};

interface Run {
  name: string;
  rate: number;
  cpuMicrosPerEmote: number;
}

// The threads start once, as a worker's do, and are warm for every measured run.
const parser = threadParser();
const stages = { inline: inlineSurgeStage(), thread: threadSurgeStage() };
const log = createLogger({ service: "bench", env: { LOG_LEVEL: "silent" } });

async function drain(
  name: string,
  detectors: DetectorKind[],
  stage: SurgeStage,
  batches: IncomingRecord[][][],
): Promise<Run> {
  stage.clear();
  const processor = new PartitionProcessor({
    topics,
    producer,
    store: memoryStore(),
    settings: new SettingsCache({ defaults: { ...DEFAULT_SETTINGS, detectors }, byStreamer: new Map() }),
    metrics: new WorkerMetrics(new Registry(), log),
    tracing: startTracing({ service: "bench" }),
    log,
    parser,
    surges: stage,
    maxMessageBytes: { dlq: 1_048_588, aggregated: 1_048_588 },
    // The emotes are dated 2010: idle by the wall clock, but not to be forgotten mid-run.
    streamerIdleMs: Number.MAX_SAFE_INTEGER,
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  // Each lane drains its partitions' batches in turn, as kafkajs hands a worker CONCURRENCY at a time.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      const mine = batches.flatMap((_, p) => (p % CONCURRENCY === lane ? [p] : []));
      const longest = Math.max(...mine.map((p) => batches[p]?.length ?? 0));
      for (let b = 0; b < longest; b++) {
        for (const p of mine) {
          const records = batches[p]?.[b];
          if (!records) continue;
          const end = String(Number(records.at(-1)?.offset ?? 0) + 1);
          await processor.handle({ topic: topics.raw, partition: p, records, end }, control);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    name,
    rate: options.emotes / seconds,
    cpuMicrosPerEmote: (used.user + used.system) / options.emotes,
  };
}

const batches = partitionBatches();
const contenders = [
  { name: "threshold only", detectors: ["threshold"] as DetectorKind[], stage: stages.inline },
  {
    name: "surge, consumer's thread",
    detectors: ["threshold", "surge"] as DetectorKind[],
    stage: stages.inline,
  },
  { name: "surge, own thread", detectors: ["threshold", "surge"] as DetectorKind[], stage: stages.thread },
];
console.error(
  `bench:processor — ${options.emotes} emotes, ${options.streamers} streamers (${options.viewers} viewers each), ${PARTITIONS} partitions, batches of ${options.batch}`,
);
// Unmeasured passes compile the hot paths, on both threads, before the first measured one.
await drain("warm-up", ["threshold", "surge"], stages.inline, batches);
await drain("warm-up", ["threshold", "surge"], stages.thread, batches);
const runs: Run[] = [];
for (let round = 1; round <= options.rounds; round++) {
  for (const c of contenders) {
    const run = await drain(c.name, c.detectors, c.stage, batches);
    runs.push(run);
    console.log(
      `round ${round}  ${run.name.padEnd(26)} ${Math.round(run.rate).toString().padStart(8)} emotes/s  ${run.cpuMicrosPerEmote.toFixed(2)} CPU µs per emote`,
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const of = (name: string) => runs.filter((r) => r.name === name);
const base = of("threshold only");
for (const c of contenders.slice(1)) {
  const rate = of(c.name).map((r, i) => r.rate / (base[i] as Run).rate);
  const cpu = of(c.name).map((r, i) => r.cpuMicrosPerEmote / (base[i] as Run).cpuMicrosPerEmote);
  console.log(
    `${c.name} / threshold only: emotes/s per round ${rate.map((x) => `×${x.toFixed(2)}`).join(", ")} (median ×${median(rate).toFixed(2)}); CPU per emote ${cpu.map((x) => `×${x.toFixed(2)}`).join(", ")} (median ×${median(cpu).toFixed(2)})`,
  );
}
await parser.close();
await stages.thread.close();
