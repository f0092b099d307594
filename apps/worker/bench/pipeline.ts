/**
 * npm run bench:pipeline — fills a private raw-emote-data with seeded emotes, then drains
 * it with three consumers, one at a time, each in its own process and consumer group:
 * the ceiling (bare eachBatch loop), the worker (full pipeline: analysis, Kafka, Postgres),
 * and the baseline (eachMessage with the original global-buffer algorithm).
 * Rate = offsets committed / time, from the first commit to the last; RSS = peak (VmHWM).
 * With --compare-detectors each round runs the worker three times: the seed's rule only,
 * surge and the rule (the default), the seed's rule only again, set as the database's
 * default settings; the two threshold-only runs measure the bench's own noise.
 */
import { TraceIdSource } from "@emote/observability";
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { kafkaBrokers, kafkaEnvSchema, parseEnv } from "@emote/config";
import { assertKafkaReachable, createKafka, createMissingTopics, kafkaBus } from "@emote/bus/kafka";
import {
  connectDatabase,
  DEFAULTS_ROW_ID,
  eq,
  migrateDatabase,
  saveSettings,
  streamerSettings,
} from "@emote/db";
import { VIEWER_HEADER, type DetectorKind } from "@emote/contracts";
import { generateEmotes } from "@emote/generator/stream";
import { ensureDatabase, machineBusySeconds, processStats } from "@emote/infra";

const HELP = `Usage: npm run bench:pipeline -- [--emotes N] [--streamers N] [--partitions N] [--baseline-timeout S]
                              [--viewers N] [--rounds N] [--compare-detectors] [--profile DIR]
  --emotes            emotes to fill and drain (default 1000000)
  --streamers         streamers in the seeded stream (default 100)
  --partitions        partitions of the bench topics (default 6)
  --baseline-timeout  stop the baseline after S seconds and rate what it did (default 300)
  --rounds N          ceiling and worker are measured N times, alternating (default 3);
                      the machine is shared and noisy, so medians and per-round ratios are reported
  --profile DIR       write the worker's V8 CPU profile (.cpuprofile) into DIR
  --compare-detectors each round also runs the worker with the seed's rule only before and after the
                      default, surge and the rule ("worker-threshold", "worker", "worker-threshold-again"):
                      CPU per emote and rate of the default against the mean of the two, and of the two
                      against each other (the noise: the same code measured twice in one round)
  --viewers N         give each streamer N simulated viewers (default 0): every record then carries
                      a viewer header, as records from emotes.send do, bursts are one viewer's spam
                      and crowds now and then react together (the generator's viewer mode); 0 keeps
                      the seed's stream, anonymous records with bursts of 3–10 of one emote
Uses KAFKA_BROKERS (else the local broker) and BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/emote_bench).`;

const { values } = parseArgs({
  options: {
    emotes: { type: "string", default: "1000000" },
    streamers: { type: "string", default: "100" },
    partitions: { type: "string", default: "6" },
    "baseline-timeout": { type: "string", default: "300" },
    rounds: { type: "string", default: "3" },
    profile: { type: "string" },
    "compare-detectors": { type: "boolean", default: false },
    viewers: { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const total = Number(values.emotes);
const streamers = Number(values.streamers);
const partitions = Number(values.partitions);
const baselineTimeoutMs = Number(values["baseline-timeout"]) * 1000;
const rounds = Number(values.rounds);
const viewers = Number(values.viewers);
if (!Number.isInteger(viewers) || viewers < 0) {
  console.error("--viewers must be a whole number");
  process.exit(2);
}
for (const [name, v] of Object.entries({
  emotes: total,
  streamers,
  partitions,
  "baseline-timeout": baselineTimeoutMs,
  rounds,
})) {
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
}

const kafkaEnv = parseEnv(kafkaEnvSchema, process.env);
const brokers = kafkaBrokers(kafkaEnv);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/emote_bench";
const workerDir = fileURLToPath(new URL("..", import.meta.url));
const log = (line: string) => console.log(`[bench] ${line}`);

await assertKafkaReachable(brokers);
await ensureDatabase(databaseUrl);
await migrateDatabase(databaseUrl);
const settingsDb = connectDatabase(databaseUrl, { max: 1 });
/** The detectors every streamer runs, as the database's default settings (undefined: the built-in defaults). */
async function useDetectors(detectors: DetectorKind[] | undefined): Promise<void> {
  if (detectors) await saveSettings(settingsDb.db, DEFAULTS_ROW_ID, { detectors });
  else await settingsDb.db.delete(streamerSettings).where(eq(streamerSettings.streamerId, DEFAULTS_ROW_ID));
}
await useDetectors(undefined);

const prefix = `bench-${Date.now()}.`;
const kafka = createKafka({ brokers, clientId: "bench" });
const bus = kafkaBus(kafka, { partitions, topicPrefix: prefix });
await bus.ensureTopics();
const admin = kafka.admin();
await admin.connect();
const baselineOut = `${prefix}baseline-out`;
await createMissingTopics(kafka, [{ topic: baselineOut, numPartitions: partitions }]);

log(
  `filling ${bus.topics.raw} with ${total} emotes from ${streamers} streamers (seed 1, ${viewers} viewers each)…`,
);
const fillStart = performance.now();
const producer = await bus.producer();
let chunk: { key: string; value: string; headers: Record<string, string> }[] = [];
let filled = 0;
// As the generator sends them: one traceparent header per emote, the viewer in a header of its own.
const traceIds = new TraceIdSource();
for (const { viewer, ...m } of generateEmotes({
  seed: 1,
  streamers,
  start: Date.UTC(2010, 0, 1),
  count: total,
  rate: 1,
  viewers,
})) {
  const traceparent = traceIds.traceparent();
  chunk.push({
    key: m.streamerId,
    value: JSON.stringify(m),
    headers: viewer === undefined ? { traceparent } : { traceparent, [VIEWER_HEADER]: viewer },
  });
  if (chunk.length === 10_000) {
    await producer.send([{ topic: bus.topics.raw, records: chunk }]);
    filled += chunk.length;
    chunk = [];
    if (filled % 200_000 === 0) log(`  filled ${filled}`);
  }
}
await producer.send([{ topic: bus.topics.raw, records: chunk }]);
await producer.disconnect();
log(`filled in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

interface Result {
  name: string;
  drained: number;
  seconds: number;
  rate: number;
  peakRssMiB: number;
  cpuSeconds: number;
  /** CPU seconds from the first commit to the last, and the emotes committed meanwhile (startup left out). */
  drainCpuSeconds: number;
  drainedTimed: number;
  /** Cores the whole machine kept busy while it drained (the broker, PostgreSQL and anything else included). */
  machineBusyCores: number;
  complete: boolean;
}

async function committed(groupId: string): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [bus.topics.raw] });
  let sum = 0;
  for (const t of offsets) for (const p of t.partitions) sum += Math.max(0, Number(p.offset));
  return sum;
}

async function measure(
  name: string,
  groupId: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<Result> {
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  const started = performance.now();
  let first: { at: number; offsets: number; busy: number; cpu: number } | undefined;
  let done = 0;
  let lastReport = started;
  let stats = { peakRssMiB: 0, cpuSeconds: 0 };
  while (done < total && performance.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 100));
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    done = await committed(groupId);
    stats = processStats(child.pid as number);
    if (!first && done > 0) {
      first = { at: performance.now(), offsets: done, busy: machineBusySeconds(), cpu: stats.cpuSeconds };
    }
    if (performance.now() - lastReport > 5_000) {
      log(`  ${name}: ${done} committed`);
      lastReport = performance.now();
    }
  }
  const end = performance.now();
  const busy = machineBusySeconds();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  const seconds = first ? (end - first.at) / 1000 : 0;
  const drained = first ? done - first.offsets : 0;
  return {
    name,
    drained: done,
    seconds,
    rate: seconds > 0 ? drained / seconds : 0,
    ...stats,
    drainCpuSeconds: first ? stats.cpuSeconds - first.cpu : 0,
    drainedTimed: drained,
    machineBusyCores: first && seconds > 0 ? (busy - first.busy) / seconds : 0,
    complete: done >= total,
  };
}

const run = (script: string, args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) =>
  spawn(process.execPath, [...nodeArgs, "--import", "tsx", script, ...args], {
    cwd: workerDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });

const results: Result[] = [];
const tag = Date.now();
const workerNodeArgs = [
  ...(process.env.BENCH_WORKER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
  ...(values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : []),
];

for (let round = 1; round <= rounds; round++) {
  log(`round ${round}/${rounds} — ceiling: bare kafkajs eachBatch loop…`);
  const ceilingGroup = `bench-ceiling-${tag}-${round}`;
  results.push(
    await measure(
      "ceiling",
      ceilingGroup,
      run("bench/ceiling-consumer.ts", [brokers.join(","), bus.topics.raw, ceilingGroup]),
      600_000,
    ),
  );
  // Threshold-only before and after the default: the pair's ratio is the bench's own noise
  // (same code, same round), and their mean cancels a drift within the round.
  const thresholdOnly = ["threshold"] as DetectorKind[];
  const contenders: { name: string; detectors: DetectorKind[] | undefined }[] = values["compare-detectors"]
    ? [
        { name: "worker-threshold", detectors: thresholdOnly },
        { name: "worker", detectors: undefined },
        { name: "worker-threshold-again", detectors: thresholdOnly },
      ]
    : [{ name: "worker", detectors: undefined }];
  for (const contender of contenders) {
    await useDetectors(contender.detectors);
    log(
      `round ${round}/${rounds} — ${contender.name}: the real pipeline (analysis, aggregated-emote-data, PostgreSQL)…`,
    );
    const workerGroup = `bench-${contender.name}-${tag}-${round}`;
    results.push(
      await measure(
        contender.name,
        workerGroup,
        run(
          "src/main.ts",
          [],
          {
            KAFKA_BROKERS: brokers.join(","),
            KAFKA_TOPIC_PREFIX: prefix,
            KAFKA_PARTITIONS: String(partitions),
            DATABASE_URL: databaseUrl,
            WORKER_GROUP_ID: workerGroup,
            // Any free port, so a worker already on 9464 does not stop the bench.
            METRICS_PORT: "0",
          },
          workerNodeArgs,
        ),
        600_000,
      ),
    );
  }
  await useDetectors(undefined);
}

log("baseline: eachMessage with the original global buffer…");
const baselineGroup = `bench-baseline-${tag}`;
results.push(
  await measure(
    "baseline",
    baselineGroup,
    run("bench/baseline-consumer.ts", [brokers.join(","), bus.topics.raw, baselineOut, baselineGroup]),
    baselineTimeoutMs,
  ),
);

await admin.deleteTopics({ topics: [...Object.values(bus.topics), baselineOut] }).catch(() => undefined);
await admin.disconnect();
await settingsDb.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const of = (name: string) => results.filter((r) => r.name === name);
const perMillion = (r: Result) => (r.cpuSeconds / r.drained) * 1e6;
// The detectors' comparison leaves out each process's startup (compiling, connecting, joining
// the group), the same few seconds whatever the detectors, which would dilute the ratio.
const perMillionDraining = (r: Result) => (r.drainCpuSeconds / r.drainedTimed) * 1e6;
console.log(
  `\nbench:pipeline — ${total} emotes, ${streamers} streamers (${viewers} viewers each), ${partitions} partitions, broker on this machine`,
);
console.log(
  `consumer               emotes/s   drained    seconds  peak RSS MiB  CPU s  busy cores (of ${cpus().length})  complete`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(22)} ${Math.round(r.rate).toString().padStart(8)}  ${String(r.drained).padStart(8)}  ${r.seconds.toFixed(1).padStart(8)}  ${r.peakRssMiB.toFixed(0).padStart(12)}  ${r.cpuSeconds.toFixed(1).padStart(5)}  ${r.machineBusyCores.toFixed(2).padStart(19)}  ${r.complete}`,
  );
}
const ceilingRate = median(of("ceiling").map((r) => r.rate));
const workerRate = median(of("worker").map((r) => r.rate));
const baselineRate = median(of("baseline").map((r) => r.rate));
const perRound = of("worker").map((w, i) => (w.rate / (of("ceiling")[i] as Result).rate).toFixed(2));
console.log(
  `median emotes/s: ceiling ${Math.round(ceilingRate)}, worker ${Math.round(workerRate)}, baseline ${Math.round(baselineRate)}`,
);
console.log(
  `worker / ceiling = ${(workerRate / ceilingRate).toFixed(2)} (per round: ${perRound.join(", ")}; target ≥ 0.80)`,
);
console.log(`worker / baseline = ${(workerRate / baselineRate).toFixed(1)}× (target ≥ 5×)`);
console.log(
  `CPU seconds per 1M emotes (median): ceiling ${median(of("ceiling").map(perMillion)).toFixed(1)}, worker ${median(of("worker").map(perMillion)).toFixed(1)}, baseline ${median(of("baseline").map(perMillion)).toFixed(1)}`,
);
if (values["compare-detectors"]) {
  const before = of("worker-threshold");
  const after = of("worker-threshold-again");
  // Only rounds whose three workers all drained the topic with time to measure: a run that
  // timed out, or drained it all between two polls, has no rate or CPU per emote to compare.
  const measured = (r: Result | undefined): r is Result =>
    r !== undefined && r.complete && r.drainedTimed > 0;
  const rounds = of("worker").flatMap((w, i) => {
    const b = before[i];
    const a = after[i];
    return measured(b) && measured(w) && measured(a) ? [{ b, w, a }] : [];
  });
  if (rounds.length === 0) {
    console.log(
      "surge + threshold vs threshold only: no round where all three workers drained with time to measure",
    );
  } else {
    // Per round, against the mean of the threshold-only runs on either side of it.
    const thresholdCpu = rounds.map(({ b, a }) => (perMillionDraining(b) + perMillionDraining(a)) / 2);
    const thresholdRate = rounds.map(({ b, a }) => (b.rate + a.rate) / 2);
    const cpuRatios = rounds.map(({ w }, i) => perMillionDraining(w) / (thresholdCpu[i] as number));
    const rateRatios = rounds.map(({ w }, i) => w.rate / (thresholdRate[i] as number));
    const noiseCpu = rounds.map(({ b, a }) => perMillionDraining(a) / perMillionDraining(b));
    const noiseRate = rounds.map(({ b, a }) => a.rate / b.rate);
    const list = (xs: number[]) => `×${xs.map((r) => r.toFixed(2)).join(", ×")}`;
    const skipped = before.length - rounds.length;
    console.log(
      `surge + threshold vs threshold only (the mean of the runs before and after it${skipped > 0 ? `; ${skipped} round(s) left out, not measured` : ""}): CPU s per 1M emotes while draining ${median(rounds.map(({ w }) => perMillionDraining(w))).toFixed(1)} vs ${median(thresholdCpu).toFixed(1)} (per round ${list(cpuRatios)}, median ×${median(cpuRatios).toFixed(2)}; target ≤ ×1.15); emotes/s ${Math.round(median(rounds.map(({ w }) => w.rate)))} vs ${Math.round(median(thresholdRate))} (per round ${list(rateRatios)}, median ×${median(rateRatios).toFixed(2)})`,
    );
    console.log(
      `noise, threshold only after / before (the same code): CPU per emote ${list(noiseCpu)}; emotes/s ${list(noiseRate)}`,
    );
  }
}
console.log(JSON.stringify({ total, streamers, viewers, partitions, results }));
process.exit(0);
