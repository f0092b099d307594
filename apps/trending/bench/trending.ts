/**
 * npm run bench:trending — the trending stage under many streamers, on the real Kafka and
 * PostgreSQL. For each step (number of active streamers): fresh private topics, one
 * partial-step process and one merge process (apps/trending, TRENDING_ROLE partials and
 * merge), and this process standing in for the workers: every second one window-stats
 * snapshot per streamer (the contract's cadence, its current minute growing by
 * --emotes-per-second), and surge moments in --surging streamers; each second the
 * strongest live surge ends (the record that closes it) and a new one starts elsewhere.
 * It reads `trending` as a gateway does and reports: end-to-end latency from sending the
 * closing record to the first board without that surge (p50/p99), the board's lag behind
 * the newest window stats (max over the second half), the merge's and the partial step's
 * peak RSS and CPU seconds, and CPU per 1,000 emotes. With --viewers N each streamer has an
 * audience of N (half of it shared with the next streamer), each emote comes from one of them,
 * and each snapshot carries the sketch of that second's viewers, as the worker sends them; it
 * then compares the boards' distinct viewers per 10 s with the exact count it sent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { logLevel, type logCreator } from "kafkajs";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { kafkaBrokers, kafkaEnvSchema, parseEnv } from "@emote/config";
import { trendingBoardSchema, ViewerSketch, type Moment, type WindowStats } from "@emote/contracts";
import { migrateDatabase } from "@emote/db";
import { ensureDatabase, processStats } from "@emote/infra";

const HELP = `Usage: npm run bench:trending -- [--streamers 1000,10000] [--seconds 40] [--surging 300] [--emotes-per-second 3] [--viewers 0]
  --streamers           comma-separated active streamer counts, one step each (default 1000,10000)
  --seconds             load time per step (default 40)
  --surging             streamers with a live surge at any time (default 300)
  --emotes-per-second   each streamer's emotes per second (default 3)
  --viewers             each streamer's audience, half shared with the next streamer (default 0: no
                        viewer sketches, as a worker from before them)
Uses KAFKA_BROKERS (else the local broker) and BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/emote_bench).`;

const { values } = parseArgs({
  options: {
    streamers: { type: "string", default: "1000,10000" },
    seconds: { type: "string", default: "40" },
    surging: { type: "string", default: "300" },
    "emotes-per-second": { type: "string", default: "3" },
    viewers: { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const steps = values.streamers.split(",").map(Number);
const seconds = Number(values.seconds);
const surging = Number(values.surging);
const perSecond = Number(values["emotes-per-second"]);
const audience = Number(values.viewers);
if (
  [...steps, seconds, surging, perSecond].some((n) => !Number.isInteger(n) || n <= 0) ||
  !Number.isInteger(audience) ||
  audience < 0
) {
  console.error(`bench:trending: every option takes a whole number > 0 (--viewers ≥ 0)\n\n${HELP}`);
  process.exit(2);
}

const env = parseEnv(kafkaEnvSchema, process.env);
const brokers = kafkaBrokers(env);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/emote_bench";
const appDir = fileURLToPath(new URL("..", import.meta.url));
const EMOTES = ["🔥", "😂", "👏", "❤️", "🎉", "😮", "😢", "👍"];
const children = new Set<ChildProcess>();
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopping = true;
    console.error(`bench:trending: ${signal}, stopping…`);
    for (const c of children) c.kill("SIGTERM");
  });
}

function spawnRole(role: string, vars: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: appDir,
    env: { ...process.env, ...vars, TRENDING_ROLE: role, LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface StepResult {
  streamers: number;
  emotesPerSecond: number;
  recordsPerSecond: number;
  closes: number;
  closeP50: number;
  closeP99: number;
  unseenCloses: number;
  maxLagMs: number;
  mergeRssMiB: number;
  partialsRssMiB: number;
  cpuPer1000Emotes: number;
  mergeCpuSeconds: number;
  partialsCpuSeconds: number;
  /** The boards' distinct viewers per 10 s against the exact count sent, or "—" without viewers. */
  viewers: string;
}

/** Over the buckets the load filled (not the first and last, partly filled): the boards' error. */
function viewersAccuracy(board: Map<number, number>, sent: Map<number, Set<number>>): string {
  const buckets = [...sent.keys()].sort((a, b) => a - b).slice(1, -1);
  const errors: number[] = [];
  let example = "";
  for (const b of buckets) {
    const exact = sent.get(b)?.size ?? 0;
    const seen = board.get(b);
    if (exact === 0 || seen === undefined) continue;
    errors.push(Math.abs(seen - exact) / exact);
    example = `${seen} vs ${exact}`;
  }
  if (errors.length === 0) return "—";
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  return `${errors.length} buckets, error mean ${pct(mean)}, max ${pct(Math.max(...errors))} (last: ${example})`;
}

/**
 * Metadata errors kafkajs logs at ERROR and then retries: a broker not yet serving a topic
 * created a moment ago answers them. Expected while a step starts, so not printed then.
 */
const RETRIED_WHILE_CREATED = new Set([
  "This server does not host this topic-partition",
  "This server is not the leader for that topic-partition",
  "There is no leader for this topic-partition as we are in the middle of a leadership election",
]);
let starting = true;
const benchKafkaLogs: logCreator =
  () =>
  ({ namespace, level, log }) => {
    if (starting && typeof log.error === "string" && RETRIED_WHILE_CREATED.has(log.error)) return;
    console.error(JSON.stringify({ level: logLevel[level], namespace, ...log }));
  };

/**
 * Waits until each partition's leader answers requests, not only until the metadata names
 * one: right after creation a broker may still refuse as "not the leader for that
 * topic-partition", which every client would log at ERROR before retrying. A quiet client
 * asks for each topic's offsets (served by the leaders) until they answer.
 */
async function untilLeadersServe(topics: string[]): Promise<void> {
  const admin = createKafka({
    brokers,
    clientId: "bench-trending-probe",
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 30_000;
    for (const topic of topics) {
      for (;;) {
        try {
          await admin.fetchTopicOffsets(topic);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function runStep(streamers: number): Promise<StepResult> {
  const id = randomUUID().slice(0, 8);
  const prefix = `bench-trending-${id}.`;
  starting = true;
  const bus = kafkaBus(createKafka({ brokers, clientId: "bench-trending", logCreator: benchKafkaLogs }), {
    partitions: 6,
    topicPrefix: prefix,
  });
  await bus.ensureTopics();
  await untilLeadersServe(Object.values(bus.topics));
  const vars = {
    KAFKA_BROKERS: brokers.join(","),
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    TRENDING_GROUP_ID: `bench-trending-${id}`,
    METRICS_PORT: "0",
  };
  const partials = spawnRole("partials", vars);
  const merge = spawnRole("merge", vars);

  // The gateway's view: every board, with when it arrived.
  const pendingCloses = new Map<string, number>();
  const closeLatencies: number[] = [];
  const lags: number[] = [];
  let loadStart = 0;
  let boardsSeen = 0;
  /** Per 10 s bucket: the boards' latest distinct viewers, and the exact set the bench sent. */
  const boardViewers = new Map<number, number>();
  const sentViewers = new Map<number, Set<number>>();
  const reader = await bus.consumer({ groupId: `bench-reader-${id}`, topics: [bus.topics.trending] });
  await reader.run(async (batch, control) => {
    for (const record of batch.records) {
      const board = trendingBoardSchema.safeParse(JSON.parse(String(record.value)));
      if (!board.success) continue;
      boardsSeen++;
      for (const b of board.data.intensity) {
        if (b.viewers !== undefined) boardViewers.set(Date.parse(b.bucketStart), b.viewers);
      }
      const now = Date.now();
      if (loadStart > 0 && now - loadStart > (seconds * 1000) / 2) lags.push(now - Date.parse(board.data.at));
      const live = new Set(board.data.surging.map((s) => s.momentId));
      for (const [momentId, sentAt] of pendingCloses) {
        if (!live.has(momentId)) {
          closeLatencies.push(now - sentAt);
          pendingCloses.delete(momentId);
        }
      }
    }
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });

  const producer = await bus.producer();
  const ids = Array.from({ length: streamers }, (_, i) => `b${id}-${i}`);
  const counts = ids.map(() => new Map<string, number>());
  let minute = Math.floor(Date.now() / 60_000) * 60_000;
  const live = new Map<string, Moment>();
  let surgeSeq = 0;
  let position = 1;
  const newSurge = (): Moment => {
    const streamerId = ids[Math.floor(Math.random() * ids.length)] ?? "x";
    const at = new Date().toISOString();
    const m: Moment = {
      id: `bench-surge-${id}-${++surgeSeq}`,
      streamerId,
      emote: EMOTES[surgeSeq % EMOTES.length] ?? "🔥",
      timestamp: new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString(),
      count: 20,
      total: 40,
      ratio: 0.5,
      kind: "surge",
      surge: {
        startedAt: at,
        detectedAt: at,
        peakRate: 9,
        baselineRate: 1,
        score: 3 + Math.random() * 20,
        viewers: 12,
      },
      position: position++,
    };
    live.set(m.id, m);
    return m;
  };
  const sendMoments = (moments: Moment[]) =>
    producer.send([
      {
        topic: bus.topics.aggregated,
        records: moments.map((m) => ({ key: m.streamerId, value: JSON.stringify([m]) })),
      },
    ]);
  await sendMoments(Array.from({ length: surging }, newSurge));

  // Waits until the merge answers (a first board), so start-up is not measured.
  const ready = Date.now();
  while (!stopping && boardsSeen === 0) {
    if (Date.now() - ready > 120_000) throw new Error("no board within 120 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  starting = false;
  const cpu0 = {
    merge: processStats(merge.pid ?? 0).cpuSeconds,
    partials: processStats(partials.pid ?? 0).cpuSeconds,
  };
  loadStart = Date.now();
  let emotes = 0;
  let records = 0;
  for (let s = 0; s < seconds && !stopping; s++) {
    const tickStart = Date.now();
    const nowMinute = Math.floor(tickStart / 60_000) * 60_000;
    if (nowMinute !== minute) {
      minute = nowMinute;
      for (const c of counts) c.clear();
    }
    const stats: { key: string; value: string }[] = [];
    const bucket = tickStart - (tickStart % 10_000);
    const sent = sentViewers.get(bucket) ?? new Set<number>();
    sentViewers.set(bucket, sent);
    ids.forEach((streamerId, i) => {
      const c = counts[i] ?? new Map<string, number>();
      const sketch = new ViewerSketch();
      for (let k = 0; k < perSecond; k++) {
        const e = EMOTES[Math.floor(Math.random() * EMOTES.length)] ?? "🔥";
        c.set(e, (c.get(e) ?? 0) + 1);
        if (audience > 0) {
          const viewer = Math.floor((i * audience) / 2) + Math.floor(Math.random() * audience);
          sketch.addHash(viewer);
          sent.add(viewer);
        }
      }
      emotes += perSecond;
      const value: WindowStats = {
        streamerId,
        windowStart: new Date(minute).toISOString(),
        counts: Object.fromEntries(c),
        total: [...c.values()].reduce((a, b) => a + b, 0),
        ...(audience > 0 && {
          viewers: [{ bucketStart: new Date(bucket).toISOString(), sketch: sketch.encode() }],
        }),
      };
      stats.push({ key: streamerId, value: JSON.stringify(value) });
    });
    for (let i = 0; i < stats.length; i += 2_000) {
      await producer.send([{ topic: bus.topics.stats, records: stats.slice(i, i + 2_000) }]);
    }
    records += stats.length;
    // The strongest live surge ends; another starts.
    const strongest = [...live.values()].sort((a, b) => (b.surge?.score ?? 0) - (a.surge?.score ?? 0))[0];
    if (strongest?.surge) {
      live.delete(strongest.id);
      const end: Moment = {
        ...strongest,
        position: position++,
        surge: { ...strongest.surge, endedAt: new Date().toISOString() },
      };
      pendingCloses.set(end.id, Date.now());
      await sendMoments([end, newSurge()]);
    }
    const spent = Date.now() - tickStart;
    if (spent < 1000) await new Promise((r) => setTimeout(r, 1000 - spent));
  }
  const elapsed = (Date.now() - loadStart) / 1000;
  // Let the last closes arrive.
  const drainUntil = Date.now() + 15_000;
  while (pendingCloses.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
  const mergeStats = processStats(merge.pid ?? 0);
  const partialsStats = processStats(partials.pid ?? 0);
  const mergeCpu = mergeStats.cpuSeconds - cpu0.merge;
  const partialsCpu = partialsStats.cpuSeconds - cpu0.partials;
  await reader.disconnect();
  await producer.disconnect();
  for (const c of [partials, merge]) c.kill("SIGTERM");
  await Promise.all(
    [partials, merge].map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)),
  );
  const sorted = [...closeLatencies].sort((a, b) => a - b);
  return {
    streamers,
    emotesPerSecond: Math.round(emotes / elapsed),
    recordsPerSecond: Math.round(records / elapsed),
    closes: sorted.length,
    closeP50: percentile(sorted, 50),
    closeP99: percentile(sorted, 99),
    unseenCloses: pendingCloses.size,
    maxLagMs: Math.max(0, ...lags),
    mergeRssMiB: Math.round(mergeStats.peakRssMiB),
    partialsRssMiB: Math.round(partialsStats.peakRssMiB),
    cpuPer1000Emotes: Math.round(((mergeCpu + partialsCpu) / (emotes / 1000)) * 10_000) / 10_000,
    mergeCpuSeconds: Math.round(mergeCpu * 10) / 10,
    partialsCpuSeconds: Math.round(partialsCpu * 10) / 10,
    viewers: audience > 0 ? viewersAccuracy(boardViewers, sentViewers) : "—",
  };
}

await ensureDatabase(databaseUrl);
await migrateDatabase(databaseUrl);
const results: StepResult[] = [];
for (const n of steps) {
  if (stopping) break;
  console.error(`bench:trending: ${n} streamers for ${seconds} s…`);
  results.push(await runStep(n));
}
console.log(
  "| streamers | emotes/s | stats records/s | closes seen | close → board p50 | p99 | not seen | max board lag | merge peak RSS | partial step peak RSS | CPU s per 1,000 emotes (merge + partials) | distinct viewers per 10 s: board vs sent |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.streamers} | ${r.emotesPerSecond} | ${r.recordsPerSecond} | ${r.closes} | ${r.closeP50} ms | ${r.closeP99} ms | ${r.unseenCloses} | ${r.maxLagMs} ms | ${r.mergeRssMiB} MiB | ${r.partialsRssMiB} MiB | ${r.cpuPer1000Emotes} (${r.mergeCpuSeconds} + ${r.partialsCpuSeconds} s) | ${r.viewers} |`,
  );
}
process.exit(0);
