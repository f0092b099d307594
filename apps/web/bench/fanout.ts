/**
 * npm run bench:fanout — delivery of live moments to many WebSocket subscribers.
 * For each contender and each N: a fresh server process (fanout-server.ts), a separate
 * load process with N subscribers (fanout-load.ts), and this process publishing moments
 * to a private aggregated topic at --rate per second for --seconds, each moment's id
 * carrying its produce time. Reports delivery latency p50/p99 (produce → receipt, over
 * every expected delivery: a lost one counts as slowest), the server's peak RSS (VmHWM)
 * and its CPU seconds during the publishing window, and the load process's CPU seconds
 * (same window, and its whole life as it reports) — the load shares the machine, so it
 * should stay well under a core.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { kafkaBrokers, kafkaEnvSchema, parseEnv } from "@emote/config";
import { assertKafkaReachable, createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Moment } from "@emote/contracts";
import { connectDatabase, lastMomentPosition, migrateDatabase } from "@emote/db";
import { ensureDatabase, processStats } from "@emote/infra";

const CONTENDERS = ["direct", "stock", "plain"] as const;
type Contender = (typeof CONTENDERS)[number];

const HELP = `Usage: npm run bench:fanout -- [--subscribers 1000,5000,10000] [--seconds 20] [--rate 10] [--contenders direct,stock,plain]
  --subscribers  comma-separated subscriber counts, one step each (default 1000,5000,10000)
  --seconds      publishing time per step (default 20)
  --rate         moments per second (default 10)
  --contenders   direct = the web server's moments.live fan-out (moment-fanout.ts),
                 stock  = the web server with tRPC's stock applyWSSHandler path only,
                 plain  = a plain ws broadcast server, serialise once (the original design)
                 (default direct,stock,plain)
Each step runs a fresh server process and a fresh load process; everything binds to
127.0.0.1. Needs one file descriptor per subscriber in each process (the npm script
raises the soft limit to the hard one). Uses KAFKA_BROKERS (else the local broker) and
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/emote_bench).`;

const { values } = parseArgs({
  options: {
    subscribers: { type: "string", default: "1000,5000,10000" },
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "10" },
    contenders: { type: "string", default: CONTENDERS.join(",") },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const steps = values.subscribers.split(",").map(Number);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const contenders = values.contenders.split(",") as Contender[];
if (
  steps.some((n) => !Number.isInteger(n) || n <= 0) ||
  !Number.isInteger(seconds) ||
  seconds <= 0 ||
  !Number.isInteger(rate) ||
  rate <= 0 ||
  rate > 1000 ||
  contenders.some((c) => !CONTENDERS.includes(c))
) {
  console.error(HELP);
  process.exit(2);
}

const kafkaEnv = parseEnv(kafkaEnvSchema, process.env);
const brokers = kafkaBrokers(kafkaEnv);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/emote_bench";
const webDir = fileURLToPath(new URL("..", import.meta.url));
const log = (line: string) => console.log(`[bench] ${line}`);

await assertKafkaReachable(brokers);
await ensureDatabase(databaseUrl);
await migrateDatabase(databaseUrl);
// Servers emit moments in moment-log order: the bench's (not stored) are numbered on from
// the log's end, so they come in order and none waits for a gap.
const bench = connectDatabase(databaseUrl, { max: 1 });
const firstPosition = (await lastMomentPosition(bench.db)) + 1;
await bench.close();
const prefix = `bench-fanout-${Date.now()}.`;
const bus = kafkaBus(createKafka({ brokers, clientId: "bench-fanout" }), {
  partitions: 1,
  topicPrefix: prefix,
});
await bus.ensureTopics();
const producer = await bus.producer();

function child(script: string, args: string[], env: Record<string, string>): ChildProcess {
  // node --import tsx (not the tsx launcher), so the pid is the process measured.
  return spawn(process.execPath, ["--import", "tsx", `bench/${script}`, ...args], {
    cwd: webDir,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
}

/** The next stdout line starting with `tag`, its remainder; fails after timeoutMs. */
function line(proc: ChildProcess, tag: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => {
      rl.close();
      proc.off("exit", onExit);
      reject(new Error(`no ${tag} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      reject(new Error(`process exited before ${tag}`));
    };
    proc.once("exit", onExit);
    rl.on("line", (l) => {
      if (!l.startsWith(`${tag}`)) return;
      clearTimeout(timer);
      proc.off("exit", onExit);
      rl.close();
      resolve(l.slice(tag.length).trim());
    });
  });
}

let seq = 0;
/** Publishes for `ms`; warm-up moments get ids the load process does not count. */
async function publishFor(ms: number, warmUp = false): Promise<number> {
  const interval = 1000 / rate;
  const start = Date.now();
  const sends: Promise<unknown>[] = [];
  let sent = 0;
  for (let next = start; next < start + ms; next += interval) {
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = Date.now();
    const moment: Moment = {
      id: `${warmUp ? "warmup" : "bench"}-${++seq}-${now}`,
      position: firstPosition + seq - 1,
      streamerId: "bench",
      emote: "🔥",
      timestamp: new Date(Math.floor(now / 60_000) * 60_000).toISOString(),
      count: 42,
      total: 60,
      ratio: 0.7,
    };
    sends.push(
      producer.send([
        { topic: bus.topics.aggregated, records: [{ key: "bench", value: JSON.stringify([moment]) }] },
      ]),
    );
    sent++;
  }
  await Promise.all(sends);
  return sent;
}

interface Row {
  contender: Contender;
  subscribers: number;
  p50: number | null;
  p99: number | null;
  delivered: number;
  peakRssMiB: number;
  cpuSeconds: number;
  loadCpuSeconds: number;
  loadCpuTotal: number | null;
  fanout: unknown;
  connectErrors: string;
}

async function step(contender: Contender, n: number): Promise<Row> {
  const server = child("fanout-server.ts", [], {
    BENCH_SERVER: contender,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: "1",
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "warn",
    // Every subscriber of the load process comes from 127.0.0.1.
    WS_MAX_CONNECTIONS_PER_ADDRESS: String(n),
  });
  let load: ChildProcess | undefined;
  try {
    const port = await line(server, "READY", 60_000);
    load = child(
      "fanout-load.ts",
      [`ws://127.0.0.1:${port}/trpc`, String(n), contender === "plain" ? "plain" : "trpc"],
      {},
    );
    const connect = await line(load, "READY", 180_000);
    // A few moments to warm up (JIT, first sends), not measured.
    await publishFor(1000, true);
    await new Promise((r) => setTimeout(r, 1000));
    const reportLine = line(load, "REPORT", 60_000 + seconds * 1000);
    reportLine.catch(() => undefined); // awaited below; a failure before then is reported there
    const cpuBefore = processStats(server.pid!).cpuSeconds;
    const loadCpuBefore = processStats(load.pid!).cpuSeconds;
    const published = await publishFor(seconds * 1000);
    // Bounded grace for late deliveries.
    await new Promise((r) => setTimeout(r, 3000));
    const stats = processStats(server.pid!);
    const loadCpu = processStats(load.pid!).cpuSeconds - loadCpuBefore;
    let fanout: unknown = null;
    if (contender === "direct") {
      server.stdin!.write("stats\n");
      fanout = JSON.parse(await line(server, "STATS", 30_000)) as unknown;
    }
    load.stdin!.write(`${published}\n`);
    const report = JSON.parse(await reportLine) as {
      received: number;
      expected: number;
      p50: number | null;
      p99: number | null;
      cpuSeconds?: number;
    };
    return {
      contender,
      subscribers: n,
      p50: report.p50,
      p99: report.p99,
      delivered: report.received / report.expected,
      peakRssMiB: stats.peakRssMiB,
      cpuSeconds: stats.cpuSeconds - cpuBefore,
      loadCpuSeconds: loadCpu,
      loadCpuTotal: report.cpuSeconds ?? null,
      fanout,
      connectErrors: connect,
    };
  } finally {
    server.kill("SIGKILL");
    load?.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const rows: Row[] = [];
for (const n of steps) {
  for (const contender of contenders) {
    log(`${contender}, ${n} subscribers…`);
    try {
      const row = await step(contender, n);
      rows.push(row);
      log(
        `  p50 ${row.p50 ?? "lost"} ms, p99 ${row.p99 ?? "lost"} ms, delivered ${(row.delivered * 100).toFixed(1)}%, ` +
          `peak RSS ${row.peakRssMiB.toFixed(0)} MiB, CPU ${row.cpuSeconds.toFixed(1)} s, ` +
          `load CPU ${row.loadCpuSeconds.toFixed(1)} s (${row.loadCpuTotal?.toFixed(1) ?? "n/a"} s in all), ` +
          `connect ${row.connectErrors}, fan-out ${JSON.stringify(row.fanout)}`,
      );
    } catch (err) {
      log(`  failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
await producer.disconnect();

const ms = (v: number | null) => (v === null ? "lost" : `${v}`);
console.log(
  `\n${rate} moments/s for ${seconds} s per step; CPU = server (load) CPU seconds over those ${seconds} s.\n`,
);
console.log("| contender | subscribers | p50 ms | p99 ms | delivered | peak RSS MiB | CPU s | load CPU s |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows)
  console.log(
    `| ${r.contender} | ${r.subscribers} | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.delivered * 100).toFixed(1)}% | ${r.peakRssMiB.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${r.loadCpuSeconds.toFixed(1)} |`,
  );
console.log("\nRatios vs plain (p99, RSS, CPU):");
for (const r of rows) {
  const base = rows.find((b) => b.contender === "plain" && b.subscribers === r.subscribers);
  if (!base || r.contender === "plain") continue;
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? "n/a" : (a / b).toFixed(2);
  console.log(
    `  ${r.contender} @ ${r.subscribers}: p99 ×${ratio(r.p99, base.p99)}, RSS ×${ratio(r.peakRssMiB, base.peakRssMiB)}, CPU ×${ratio(r.cpuSeconds, base.cpuSeconds)}`,
  );
}
process.exit(0);
