/**
 * npm run bench:ingest — viewers' emotes through one gateway (emotes.send) into Kafka,
 * with the worker analysing them and a subscriber receiving the moments.
 *
 * In one run: the generator producing straight to Kafka (the throughput baseline), then
 * for each viewer count a fresh gateway process (ingest-server.ts) and a separate load
 * process (ingest-load.ts) sending --rate emotes/s in all over WebSocket and HTTP (a
 * warm-up, then the measured window), while this process probes end-to-end latency: probe
 * viewers send the emote that closes a batch of their streamer (`bench-probe-<run>-<n>`,
 * interval 5) and time it until the moment reaches a moments.live subscriber on the same
 * gateway. CPU is read from /proc over the measured window for the gateway, the load, the
 * worker, the broker(s) and the whole machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { signToken } from "@emote/api";
import { closeEmoteClient, createEmoteClient } from "@emote/api/client";
import { assertKafkaReachable, createKafka, kafkaBus } from "@emote/bus/kafka";
import { DEV_AUTH_SECRET, kafkaBrokers, kafkaEnvSchema, parseEnv } from "@emote/config";
import { connectDatabase, migrateDatabase, saveSettings } from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { sendEmotes } from "@emote/generator/sender";
import { ensureDatabase, machineBusySeconds, pidsMatching, processStats } from "@emote/infra";

const HELP = `Usage: npm run bench:ingest -- [--quick] [--viewers 1000,5000] [--rate 10000] [--seconds 20]
                                [--warmup 3] [--http-share 0.1] [--streamers 20] [--paths direct,stock]
                                [--cpu-prof]
  --quick        one short step: 1000 viewers, 8 s measured after 2 s of warm-up, a smaller baseline
  --viewers      comma-separated viewer counts, one step (fresh gateway and load process) each
  --rate         emotes per second the load process sends in all (default 10000)
  --seconds      measured sending time per step (default 20)
  --warmup       sending time per step before the measured window (default 3): JIT, first batches
  --http-share   share of the viewers that send over HTTP instead of WebSocket (default 0.1)
  --streamers    streamers the load's emotes go to (default 20)
  --paths        how the gateway answers emotes.send, one step per viewer count each:
                 direct (its fast paths, the default) and/or stock (tRPC's adapters)
  --cpu-prof     the gateway and the worker run with node --cpu-prof (profiles in apps/web/test-output/profiles)
Uses KAFKA_BROKERS (else the local broker on KAFKA_PORT) and BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/emote_bench). The gateway's per-viewer limit is raised to
EMOTE_RATE_PER_SECOND=50 (burst 100) unless set, so an even load of 10 emotes/s per viewer
measures throughput, not the limit.`;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    viewers: { type: "string" },
    rate: { type: "string", default: "10000" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    "http-share": { type: "string", default: "0.1" },
    streamers: { type: "string", default: "20" },
    paths: { type: "string", default: "direct" },
    "cpu-prof": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const steps = (values.viewers ?? (values.quick ? "1000" : "1000,5000")).split(",").map(Number);
const seconds = Number(values.seconds ?? (values.quick ? "8" : "20"));
const warmup = Number(values.warmup ?? (values.quick ? "2" : "3"));
const rate = Number(values.rate);
const httpShare = Number(values["http-share"]);
const streamers = Number(values.streamers);
const paths = values.paths.split(",");
if (
  paths.some((p) => p !== "direct" && p !== "stock") ||
  steps.some((n) => !Number.isInteger(n) || n <= 0) ||
  !(seconds > 0) ||
  !(warmup >= 0) ||
  !(rate > 0) ||
  !(httpShare >= 0 && httpShare <= 1) ||
  !Number.isInteger(streamers) ||
  streamers <= 0
) {
  console.error(HELP);
  process.exit(2);
}

const brokers = kafkaBrokers(parseEnv(kafkaEnvSchema, process.env));
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/emote_bench";
const webDir = fileURLToPath(new URL("..", import.meta.url));
const workerDir = fileURLToPath(new URL("../../worker", import.meta.url));
const profileDir = fileURLToPath(new URL("../test-output/profiles", import.meta.url));
const log = (line: string) => console.log(`[bench] ${line}`);
const secret = process.env.AUTH_SECRET ?? DEV_AUTH_SECRET;
const PROBE_INTERVAL = 5;

await assertKafkaReachable(brokers);
await ensureDatabase(databaseUrl);
await migrateDatabase(databaseUrl);
const runTag = Date.now();
const prefix = `bench-ingest-${runTag}.`;
/**
 * Probe streamers, probed side by side (more probes per step make a p99 of them mean
 * more). New ones per run: a moment's id is its streamer, batch number, minute and emote,
 * so a fresh worker group numbering a reused streamer's batches from 1 again within the
 * same minute would make moments already stored, and they would not be published again.
 */
const PROBES = Array.from({ length: 4 }, (_, i) => `bench-probe-${runTag}-${i}`);
const db = connectDatabase(databaseUrl, { max: 2 });
for (const probe of PROBES) await saveSettings(db.db, probe, { interval: PROBE_INTERVAL, threshold: 0.5 });
const shared = {
  KAFKA_BROKERS: brokers.join(","),
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_PARTITIONS: "6",
  DATABASE_URL: databaseUrl,
  AUTH_SECRET: secret,
  LOG_FORMAT: "json",
};

function child(
  cwd: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  // node --import tsx (not the tsx launcher), so the pid is the process measured.
  return spawn(process.execPath, [...nodeArgs, "--import", "tsx", script], {
    cwd,
    env: { ...process.env, ...shared, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
}

/** At most `ms` for `p`: a probe must not wait for ever on a call the gateway dropped. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
  ]);
}

/** Waits for stdout lines of `proc`: `next(tag)` is the rest of the next line containing `tag`. */
function lines(proc: ChildProcess): { next(tag: string, timeoutMs: number): Promise<string> } {
  const waiting: { tag: string; resolve: (rest: string) => void; reject: (err: Error) => void }[] = [];
  createInterface({ input: proc.stdout! }).on("line", (l) => {
    for (const w of waiting) {
      const at = l.indexOf(w.tag);
      if (at < 0) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(l.slice(at + w.tag.length).trim());
      return;
    }
  });
  proc.once("exit", () => {
    for (const w of waiting.splice(0)) w.reject(new Error(`process exited before ${w.tag}`));
  });
  return {
    next(tag, timeoutMs) {
      if (proc.exitCode !== null) return Promise.reject(new Error(`process exited before ${tag}`));
      return within(new Promise((resolve, reject) => waiting.push({ tag, resolve, reject })), timeoutMs, tag);
    },
  };
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
  });
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** The gateway's refusal counters: limited, failed, and shed by reason. */
async function refusals(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const l of text.split("\n")) {
    const m = /^emote_web_emotes_(limited|failed|shed)_total(?:\{reason="(\w+)"\})? (\S+)$/.exec(l);
    if (m && Number(m[3]) > 0) counts[m[2] ? `${m[1]}:${m[2]}` : (m[1] as string)] = Number(m[3]);
  }
  return counts;
}

// Baseline: the generator's stream straight to Kafka (its own topic, which the worker does not read).
async function baseline(): Promise<{ rate: number; cpuMsPer1000: number }> {
  const count = values.quick ? 100_000 : 300_000;
  const bus = kafkaBus(createKafka({ brokers, clientId: "bench-ingest-baseline" }), {
    partitions: 6,
    topicPrefix: `${prefix}baseline.`,
  });
  await bus.ensureTopics();
  const producer = await bus.producer();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sent = await sendEmotes(
    producer,
    generateEmotes({ seed: 1, start: Date.now(), rate: 1000, count, streamers }),
    {
      topic: bus.topics.raw,
      paced: false,
    },
  );
  const secondsTaken = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await producer.disconnect();
  return { rate: sent / secondsTaken, cpuMsPer1000: ((used.user + used.system) / 1000 / sent) * 1000 };
}

log(`prefix ${prefix}; generator → Kafka baseline…`);
const base = await baseline();
log(`baseline: ${Math.round(base.rate)} emotes/s, ${base.cpuMsPer1000.toFixed(1)} ms CPU per 1,000 emotes`);

const worker = child(
  workerDir,
  "src/main.ts",
  {
    WORKER_GROUP_ID: `bench-ingest-worker-${runTag}`,
    METRICS_PORT: "0",
    LOG_LEVEL: "info",
  },
  values["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
);
await lines(worker).next("worker consuming", 60_000);
log("worker consuming");

interface StepResult {
  viewers: number;
  path: string;
  acceptedPerSecond: number;
  /** CPU per 1,000 accepted emotes over the measured window, ms. */
  cpuMsPer1000: { gateway: number; load: number; worker: number; broker: number; machine: number };
  /** The machine's busy share of its cores over the measured window, 0–1. */
  machineBusy: number;
  sendP50: number;
  sendP99: number;
  sendMax: number;
  warmupSendP99: number;
  e2eP50: number;
  e2eP99: number;
  e2eMax: number;
  probes: number;
  probesLost: number;
  byCode: Record<string, number>;
  skipped: number;
  gatewayPeakRssMiB: number;
  /** The gateway's own refusal counters (limited, failed, shed), and shed by reason. */
  gatewayCounts: Record<string, number>;
}

/** CPU seconds so far of the gateway, the worker, the broker(s) on this machine, and the machine. */
function cpuNow(gatewayPid: number, brokerPids: number[]) {
  return {
    gateway: processStats(gatewayPid).cpuSeconds,
    worker: processStats(worker.pid!).cpuSeconds,
    broker: brokerPids.reduce((sum, pid) => sum + processStats(pid).cpuSeconds, 0),
    machine: machineBusySeconds(),
    at: performance.now(),
  };
}

/**
 * One probe loop until `until()`: PROBE_INTERVAL - 1 emotes to `streamerId`, then the one
 * that closes its batch, timed until its moment arrives (`arrival` is set by the subscriber).
 * Only probes whose closing emote is sent while `recording()` count: the loops run from
 * the start of the warm-up, so the probes' own start-up is not in the measured window.
 */
async function probeLoop(
  prober: ReturnType<typeof createEmoteClient>,
  streamerId: string,
  arrival: { next?: () => void },
  until: () => boolean,
  recording: () => boolean,
  e2e: number[],
): Promise<number> {
  let lost = 0;
  while (!until()) {
    let counted = false;
    try {
      for (let i = 0; i < PROBE_INTERVAL - 1; i++)
        await prober.emotes.send.mutate({ streamerId, emote: "🔥" });
      const arrived = new Promise<number>((resolve) => (arrival.next = () => resolve(performance.now())));
      const sentAt = performance.now();
      counted = recording();
      await within(prober.emotes.send.mutate({ streamerId, emote: "🔥" }), 10_000, "probe emote");
      const at = await Promise.race([arrived, new Promise<undefined>((r) => setTimeout(r, 5_000))]);
      arrival.next = undefined;
      if (counted && at === undefined) lost++;
      else if (counted && at !== undefined) e2e.push(at - sentAt);
    } catch {
      if (counted) lost++;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return lost;
}

async function step(viewers: number, path: string): Promise<StepResult> {
  if (values["cpu-prof"]) mkdirSync(profileDir, { recursive: true });
  const gateway = child(
    webDir,
    "bench/ingest-server.ts",
    {
      EMOTE_RATE_PER_SECOND: process.env.EMOTE_RATE_PER_SECOND ?? "50",
      EMOTE_BURST: process.env.EMOTE_BURST ?? "100",
      BENCH_EMOTES_PATH: path,
    },
    values["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  );
  const port = Number(await lines(gateway).next("READY", 60_000));
  const url = `http://127.0.0.1:${port}`;
  const load = child(webDir, "bench/ingest-load.ts", {
    BENCH_URL: url,
    BENCH_VIEWERS: String(viewers),
    BENCH_RATE: String(rate),
    BENCH_SECONDS: String(seconds),
    BENCH_WARMUP_SECONDS: String(warmup),
    BENCH_HTTP_SHARE: String(httpShare),
    BENCH_STREAMERS: String(streamers),
    BENCH_SECRET: secret,
  });
  const loadLines = lines(load);
  await loadLines.next("READY", 120_000);

  // The probes: a viewer of its own per probe streamer and one subscriber, all over WebSocket on this gateway.
  const ws = WebSocket as unknown as typeof globalThis.WebSocket;
  const subscriber = createEmoteClient({ url, WebSocket: ws });
  const probers = await Promise.all(
    PROBES.map(async (_, i) =>
      createEmoteClient({
        url,
        WebSocket: ws,
        token: await signToken({ role: "viewer", sub: `bench-prober-${i}` }, secret),
      }),
    ),
  );
  const arrivals = PROBES.map((): { next?: () => void } => ({}));
  const subs = await Promise.all(
    PROBES.map(async (streamerId, i) => {
      let subscribed!: () => void;
      const started = new Promise<void>((r) => (subscribed = r));
      const sub = subscriber.moments.live.subscribe(
        { streamerId },
        { onStarted: () => subscribed(), onData: () => arrivals[i]?.next?.() },
      );
      await within(started, 30_000, "moments.live subscription");
      return sub;
    }),
  );

  const brokerPids = pidsMatching("kafka.Kafka");
  // Once before the window: the first fetch() of a process loads its HTTP client.
  await metric(url, "emote_web_emotes_accepted_total");
  load.stdin!.write("GO\n");
  // Set when the measured window starts (the probes' loops read it).
  const window: { start?: ReturnType<typeof cpuNow> } = {};
  let done = false;
  const e2e: number[] = [];
  const probing = Promise.all(
    probers.map((prober, i) =>
      probeLoop(
        prober,
        PROBES[i] as string,
        arrivals[i] as { next?: () => void },
        () =>
          done || (window.start !== undefined && performance.now() - window.start.at > seconds * 1000 - 500),
        () => window.start !== undefined,
        e2e,
      ),
    ),
  );
  await loadLines.next("MEASURING", (warmup + 60) * 1000);
  const accepted0 = await metric(url, "emote_web_emotes_accepted_total");
  const cpu0 = cpuNow(gateway.pid!, brokerPids);
  window.start = cpu0;
  const result = loadLines.next("RESULT", (seconds + 60) * 1000);
  const finished = () => (done = true);
  result.then(finished, finished);
  const lost = await probing;
  const loadResult = JSON.parse(await result) as {
    byCode: Record<string, number>;
    sendP50: number;
    sendP99: number;
    sendMax: number;
    warmupSendP99: number;
    skipped: number;
    loadCpuSeconds: number;
  };
  const cpu1 = cpuNow(gateway.pid!, brokerPids);
  const windowSeconds = (cpu1.at - cpu0.at) / 1000;
  const accepted = (await metric(url, "emote_web_emotes_accepted_total")) - accepted0;
  const gatewayCounts = await refusals(url);
  const stats = processStats(gateway.pid!);
  for (const sub of subs) sub.unsubscribe();
  await within(
    Promise.all([subscriber, ...probers].map((c) => closeEmoteClient(c))),
    5_000,
    "closing the probes",
  ).catch(() => undefined);
  await stop(load);
  await stop(gateway);
  const perThousand = (cpuSeconds: number) => ((cpuSeconds * 1000) / accepted) * 1000;
  return {
    viewers,
    path,
    acceptedPerSecond: accepted / windowSeconds,
    cpuMsPer1000: {
      gateway: perThousand(cpu1.gateway - cpu0.gateway),
      load: perThousand(loadResult.loadCpuSeconds),
      worker: perThousand(cpu1.worker - cpu0.worker),
      broker: perThousand(cpu1.broker - cpu0.broker),
      machine: perThousand(cpu1.machine - cpu0.machine),
    },
    machineBusy: (cpu1.machine - cpu0.machine) / windowSeconds / cpus().length,
    sendP50: loadResult.sendP50,
    sendP99: loadResult.sendP99,
    sendMax: loadResult.sendMax,
    warmupSendP99: loadResult.warmupSendP99,
    e2eP50: percentile(e2e, 0.5),
    e2eP99: percentile(e2e, 0.99),
    e2eMax: percentile(e2e, 1),
    probes: e2e.length,
    probesLost: lost.reduce((a, b) => a + b, 0),
    byCode: loadResult.byCode,
    skipped: loadResult.skipped,
    gatewayPeakRssMiB: stats.peakRssMiB,
    gatewayCounts,
  };
}

const results: StepResult[] = [];
try {
  for (const viewers of steps) {
    for (const path of paths) {
      log(
        `${viewers} viewers, ${rate} emotes/s for ${seconds} s (${Math.round(httpShare * 100)}% over HTTP, ${path} emotes.send path)…`,
      );
      const r = await step(viewers, path);
      results.push(r);
      log(JSON.stringify(r));
    }
  }
} finally {
  await stop(worker);
  await db.close();
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");
console.log(
  `\nbaseline (generator → Kafka): ${f(base.rate)} emotes/s, ${f(base.cpuMsPer1000, 1)} ms CPU per 1,000 emotes`,
);
console.log(
  `measured ${seconds} s per step after ${warmup} s of warm-up; CPU ms per 1,000 accepted emotes over that window`,
);
console.log(
  "| viewers | emotes.send path | accepted emotes/s | ÷ baseline | send p50 / p99 / max ms | warm-up p99 | e2e p50 / p99 / max ms (probes) | CPU gateway / load / worker / broker / machine | machine busy | refused / skipped |",
);
console.log("| --: | :-- | --: | --: | --: | --: | --: | --: | --: | --: |");
for (const r of results) {
  const refused = Object.entries(r.byCode)
    .filter(([code]) => code !== "ok")
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");
  const c = r.cpuMsPer1000;
  console.log(
    `| ${r.viewers} | ${r.path} | ${f(r.acceptedPerSecond)} | ${f(r.acceptedPerSecond / base.rate, 3)} | ${f(r.sendP50, 1)} / ${f(r.sendP99, 1)} / ${f(r.sendMax)} | ${f(r.warmupSendP99)} | ${f(r.e2eP50)} / ${f(r.e2eP99)} / ${f(r.e2eMax)} (${r.probes}, ${r.probesLost} lost) | ${f(c.gateway, 1)} / ${f(c.load, 1)} / ${f(c.worker, 1)} / ${f(c.broker, 1)} / ${f(c.machine, 1)} | ${f(r.machineBusy * 100)} % | ${refused || "none"} / ${r.skipped} |`,
  );
}
process.exit(0);
