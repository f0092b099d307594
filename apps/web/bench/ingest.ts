/**
 * npm run bench:ingest — viewers' emotes through one gateway (emotes.send) into Kafka,
 * with the worker analysing them and a subscriber receiving the moments.
 *
 * In one run: the generator producing straight to Kafka (the throughput baseline), then
 * for each viewer count a fresh gateway process (ingest-server.ts) and a separate load
 * process (ingest-load.ts) sending --rate emotes/s in all over WebSocket and HTTP, while
 * this process probes end-to-end latency: a probe viewer sends the emote that closes a
 * batch of streamer `bench-probe` (interval 5) and times it until the moment reaches a
 * moments.live subscriber on the same gateway.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
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
import { ensureDatabase, processStats } from "@emote/infra";

const HELP = `Usage: npm run bench:ingest -- [--quick] [--viewers 1000,5000] [--rate 10000] [--seconds 20]
                                [--http-share 0.1] [--streamers 20] [--paths direct,stock] [--cpu-prof]
  --quick        one short step: 1000 viewers, 8 s, a smaller baseline
  --viewers      comma-separated viewer counts, one step (fresh gateway and load process) each
  --rate         emotes per second the load process sends in all (default 10000)
  --seconds      sending time per step (default 20)
  --http-share   share of the viewers that send over HTTP instead of WebSocket (default 0.1)
  --streamers    streamers the load's emotes go to (default 20)
  --paths        how the gateway answers emotes.send, one step per viewer count each:
                 direct (its fast paths, the default) and/or stock (tRPC's adapters)
  --cpu-prof     the gateway runs with node --cpu-prof (profiles in apps/web/test-output/profiles)
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
const rate = Number(values.rate);
const httpShare = Number(values["http-share"]);
const streamers = Number(values.streamers);
const paths = values.paths.split(",");
if (
  paths.some((p) => p !== "direct" && p !== "stock") ||
  steps.some((n) => !Number.isInteger(n) || n <= 0) ||
  !(seconds > 0) ||
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
const PROBE = "bench-probe";
const PROBE_INTERVAL = 5;

await assertKafkaReachable(brokers);
await ensureDatabase(databaseUrl);
await migrateDatabase(databaseUrl);
const runTag = Date.now();
const prefix = `bench-ingest-${runTag}.`;
const db = connectDatabase(databaseUrl, { max: 2 });
await saveSettings(db.db, PROBE, { interval: PROBE_INTERVAL, threshold: 0.5 });
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

/** The next stdout line containing `tag`, from `tag` on; fails after timeoutMs. */
function line(proc: ChildProcess, tag: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null) return reject(new Error(`process exited before ${tag}`));
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => {
      rl.close();
      reject(new Error(`no ${tag} within ${timeoutMs} ms`));
    }, timeoutMs);
    proc.once("exit", () => reject(new Error(`process exited before ${tag}`)));
    rl.on("line", (l) => {
      const at = l.indexOf(tag);
      if (at < 0) return;
      clearTimeout(timer);
      rl.close();
      resolve(l.slice(at + tag.length).trim());
    });
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
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

const worker = child(workerDir, "src/main.ts", {
  WORKER_GROUP_ID: `bench-ingest-worker-${runTag}`,
  METRICS_PORT: "0",
  LOG_LEVEL: "info",
});
await line(worker, "worker consuming", 60_000);
log("worker consuming");

interface StepResult {
  viewers: number;
  path: string;
  acceptedPerSecond: number;
  gatewayCpuMsPer1000: number;
  sendP50: number;
  sendP99: number;
  /** Over the sends after the load's first 2 s. */
  steadySendP50: number;
  steadySendP99: number;
  e2eP50: number;
  e2eP99: number;
  probes: number;
  probesLost: number;
  byCode: Record<string, number>;
  skipped: number;
  loadCpuSeconds: number;
  gatewayPeakRssMiB: number;
  /** The gateway's own refusal counters (limited, failed, shed), and shed by reason. */
  gatewayCounts: Record<string, number>;
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
  const port = Number(await line(gateway, "READY", 60_000));
  const url = `http://127.0.0.1:${port}`;
  const load = child(webDir, "bench/ingest-load.ts", {
    BENCH_URL: url,
    BENCH_VIEWERS: String(viewers),
    BENCH_RATE: String(rate),
    BENCH_SECONDS: String(seconds),
    BENCH_HTTP_SHARE: String(httpShare),
    BENCH_STREAMERS: String(streamers),
    BENCH_SECRET: secret,
  });
  await line(load, "READY", 120_000);

  // The probe: its own viewer and a subscriber on the same gateway, both over WebSocket.
  const ws = WebSocket as unknown as typeof globalThis.WebSocket;
  const subscriber = createEmoteClient({ url, WebSocket: ws });
  const prober = createEmoteClient({
    url,
    WebSocket: ws,
    token: await signToken({ role: "viewer", sub: "bench-prober" }, secret),
  });
  let onMoment: (() => void) | undefined;
  let subscribed!: () => void;
  const started = new Promise<void>((r) => (subscribed = r));
  const sub = subscriber.moments.live.subscribe(
    { streamerId: PROBE },
    { onStarted: () => subscribed(), onData: () => onMoment?.() },
  );
  await within(started, 30_000, "moments.live subscription");

  const accepted0 = await metric(url, "emote_web_emotes_accepted_total");
  const cpu0 = processStats(gateway.pid!).cpuSeconds;
  const t0 = performance.now();
  load.stdin!.write("GO\n");
  const result = line(load, "RESULT", (seconds + 60) * 1000);
  const e2e: number[] = [];
  let lost = 0;
  let probing = true;
  void result.finally(() => (probing = false));
  // Past the first second (connections warm), one probe batch at a time while the load runs.
  await new Promise((r) => setTimeout(r, 1000));
  while (probing && performance.now() - t0 < seconds * 1000 - 1000) {
    try {
      for (let i = 0; i < PROBE_INTERVAL - 1; i++)
        await prober.emotes.send.mutate({ streamerId: PROBE, emote: "🔥" });
      const arrived = new Promise<number>((resolve) => (onMoment = () => resolve(performance.now())));
      const sentAt = performance.now();
      await within(prober.emotes.send.mutate({ streamerId: PROBE, emote: "🔥" }), 10_000, "probe emote");
      const at = await Promise.race([arrived, new Promise<undefined>((r) => setTimeout(r, 5_000))]);
      onMoment = undefined;
      if (at === undefined) lost++;
      else e2e.push(at - sentAt);
    } catch {
      lost++;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const loadResult = JSON.parse(await within(result, (seconds + 60) * 1000, "the load's result")) as {
    byCode: Record<string, number>;
    sendP50: number;
    sendP99: number;
    steadySendP50: number;
    steadySendP99: number;
    skipped: number;
    loadCpuSeconds: number;
  };
  const windowSeconds = (performance.now() - t0) / 1000;
  const accepted = (await metric(url, "emote_web_emotes_accepted_total")) - accepted0;
  const gatewayCounts = await refusals(url);
  const stats = processStats(gateway.pid!);
  const cpu = stats.cpuSeconds - cpu0;
  sub.unsubscribe();
  await within(
    Promise.all([closeEmoteClient(subscriber), closeEmoteClient(prober)]),
    5_000,
    "closing the probe",
  ).catch(() => undefined);
  await stop(load);
  await stop(gateway);
  return {
    viewers,
    path,
    acceptedPerSecond: accepted / windowSeconds,
    gatewayCpuMsPer1000: ((cpu * 1000) / accepted) * 1000,
    sendP50: loadResult.sendP50,
    sendP99: loadResult.sendP99,
    steadySendP50: loadResult.steadySendP50,
    steadySendP99: loadResult.steadySendP99,
    e2eP50: percentile(e2e, 0.5),
    e2eP99: percentile(e2e, 0.99),
    probes: e2e.length,
    probesLost: lost,
    byCode: loadResult.byCode,
    skipped: loadResult.skipped,
    loadCpuSeconds: loadResult.loadCpuSeconds,
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
  "| viewers | emotes.send path | accepted emotes/s | ÷ baseline | gateway CPU ms / 1,000 | send p50 / p99 ms | after 2 s | e2e p50 / p99 ms (probes) | refused / skipped |",
);
console.log("| --: | :-- | --: | --: | --: | --: | --: | --: | --: |");
for (const r of results) {
  const refused = Object.entries(r.byCode)
    .filter(([code]) => code !== "ok")
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");
  console.log(
    `| ${r.viewers} | ${r.path} | ${f(r.acceptedPerSecond)} | ${f(r.acceptedPerSecond / base.rate, 3)} | ${f(r.gatewayCpuMsPer1000, 1)} | ${f(r.sendP50, 1)} / ${f(r.sendP99, 1)} | ${f(r.steadySendP50, 1)} / ${f(r.steadySendP99, 1)} | ${f(r.e2eP50)} / ${f(r.e2eP99)} (${r.probes}, ${r.probesLost} lost) | ${refused || "none"} / ${r.skipped} |`,
  );
}
process.exit(0);
