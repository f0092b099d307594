#!/usr/bin/env -S npx tsx
import { connectDatabase, type DatabaseConnection } from "@emote/db";
import {
  downLocalCluster,
  killClusterNode,
  localCluster,
  startClusterNode,
  upLocalCluster,
  type LocalCluster,
} from "@emote/infra";
import { envHelp } from "@emote/config";
import { waitFor } from "@emote/testkit";
import { chaosEnvSchema, privateBrokerPorts, readChaosEnv } from "./env.ts";
import { Feeder } from "./feeder.ts";
import { spawnService, stopAll, type ServiceProcess } from "./fleet.ts";
import { ProgressWatch } from "./progress-watch.ts";
import {
  producedEmotes,
  referenceBatchSeqs,
  referenceMoments,
  resumedAfter,
  runBus,
  runIds,
  seededStream,
  serviceVars,
  storedMoments,
  type RunIds,
} from "./scenario.ts";
import { trendingPhase } from "./trending-phase.ts";
import { LiveSubscriber } from "./subscriber.ts";
import { formatTable, judgeDelivered, judgeStored, type Verdict } from "./verdict.ts";

const HELP = `Usage: npm run chaos [-- --quick] [-- --seed N --workers N --gateways M --streamers S --rounds R]

A bounded chaos run on real Kafka and PostgreSQL. A seeded stream for S streamers goes
through N worker processes and M gateway processes (apps/web) while the run kills and
adds workers (SIGKILL, a new one, SIGTERM), kills one broker of three and brings it back,
fails WebSocket subscribers of moments.live (one streamer, all streamers) over from one
gateway to another with their last event ids, and restarts a single broker. Every stored
and delivered moment is then checked against the original rule applied to what was
really produced, and one table is printed. Last, on the single broker, the trending stage
(two partial-step processes, a merge) takes the worker's contract output while its merge
is SIGKILLed twice and a partial-step process once: its merged counts, intensity and live
surges are checked against the input's. Exit status 1 when anything was lost or
duplicated.

  --quick       one round of kills instead of two (a few minutes)
  --seed N      generator seed (default 7)
  --workers N   workers at the start (default 3)
  --gateways M  gateways (default 2, at least 2)
  --streamers S streamers (default 8)
  --rounds R    rounds of kills on the cluster (default 2; --quick: 1)

The run's rows are its own streamers'; its private brokers are stopped at the end.

${envHelp(chaosEnvSchema)}`;

interface Options {
  quick: boolean;
  seed: number;
  workers: number;
  gateways: number;
  streamers: number;
  rounds: number;
}

function readOptions(argv: string[]): Options | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const quick = argv.includes("--quick");
  const num = (flag: string, fallback: number, min: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} wants an integer ≥ ${min}`);
    return n;
  };
  return {
    quick,
    seed: num("--seed", 7, 0),
    workers: num("--workers", 3, 2),
    gateways: num("--gateways", 2, 2),
    streamers: num("--streamers", 8, 1),
    rounds: num("--rounds", quick ? 1 : 2, 1),
  };
}

const PARTITIONS = 6;
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Everything one phase starts, so a failure stops it all. */
class Phase {
  readonly services: ServiceProcess[] = [];
  readonly subscribers: LiveSubscriber[] = [];
  private serial = 0;

  constructor(
    readonly ids: RunIds,
    readonly brokers: string[],
    readonly databaseUrl: string,
  ) {}

  async worker(): Promise<ServiceProcess> {
    const w = spawnService(
      "worker",
      `worker-${++this.serial}`,
      serviceVars(this.ids, this.brokers, this.databaseUrl, PARTITIONS),
    );
    this.services.push(w);
    await w.logged("worker consuming");
    return w;
  }

  async gateway(): Promise<{ process: ServiceProcess; url: string }> {
    const g = spawnService(
      "web",
      `gateway-${++this.serial}`,
      serviceVars(this.ids, this.brokers, this.databaseUrl, PARTITIONS),
    );
    this.services.push(g);
    const line = await g.logged("listening on");
    return { process: g, url: String(line.url) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.subscribers.map((s) => s.close()));
    await stopAll(this.services);
  }
}

async function timed(what: string, watch: ProgressWatch, act: () => Promise<void>): Promise<number> {
  const at = Date.now();
  await act();
  const ms = await resumedAfter(watch, at, 120_000);
  log(`${what}: every partition moving again after ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

interface PhaseOutcome {
  emotes: number;
  verdicts: Verdict[];
  failovers: string[];
}

/** Waits until the subscribers have had everything they should, or nothing new came for 15 s. */
async function deliveriesSettled(
  subscribers: LiveSubscriber[],
  wanted: Map<LiveSubscriber, number>,
): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor(
    "the subscribers' deliveries to settle",
    () => {
      const total = subscribers.reduce((s, x) => s + x.deliveries.length, 0);
      if (total !== last) {
        last = total;
        since = Date.now();
      }
      const complete = subscribers.every(
        (s) => new Set(s.deliveries.map((d) => d.moment.id)).size >= (wanted.get(s) ?? 0),
      );
      return complete || Date.now() - since > 15_000;
    },
    180_000,
    200,
  );
}

async function finish(
  phase: Phase,
  feeder: Feeder,
  watch: ProgressWatch,
  conn: DatabaseConnection,
  from: number,
  label: string,
  failovers: string[],
): Promise<PhaseOutcome> {
  await feeder.stop();
  const bus = runBus(phase.ids, phase.brokers, PARTITIONS);
  const produced = await producedEmotes(bus);
  log(
    `${label}: ${produced.length} emotes on the topic (${feeder.sent.length} acknowledged, ${feeder.resends} chunks resent)`,
  );
  await waitFor(
    "the workers to apply everything produced",
    () => watch.applied() === produced.length,
    180_000,
    200,
  );
  const expected = referenceMoments(produced);
  const batchSeqs = referenceBatchSeqs(produced);
  const wanted = new Map(
    phase.subscribers.map((s) => [
      s,
      s.streamerId === undefined
        ? expected.length
        : expected.filter((m) => m.streamerId === s.streamerId).length,
    ]),
  );
  await deliveriesSettled(phase.subscribers, wanted);
  const stall = watch.longestStall(from, watch.offsets());
  await watch.stop();
  const verdicts = [
    judgeStored(`${label}: stored (workers)`, expected, await storedMoments(conn, phase.ids), stall.ms),
    ...phase.subscribers.map((s) =>
      judgeDelivered(`${label}: delivered to ${s.name}`, expected, batchSeqs, s.streamerId, s.deliveries),
    ),
  ];
  return { emotes: produced.length, verdicts, failovers };
}

/** Workers and gateways on the three-node cluster: worker kills and joins, a broker killed, gateway failovers. */
async function clusterPhase(
  opts: Options,
  cluster: LocalCluster,
  conn: DatabaseConnection,
  databaseUrl: string,
): Promise<PhaseOutcome> {
  const ids = runIds("chaos", opts.streamers);
  const phase = new Phase(ids, cluster.brokers, databaseUrl);
  const failovers: string[] = [];
  try {
    const bus = runBus(ids, cluster.brokers, PARTITIONS);
    await bus.ensureTopics();
    const watch = new ProgressWatch(conn, ids.groupId, bus.topics.raw);
    const workers = await Promise.all(Array.from({ length: opts.workers }, () => phase.worker()));
    const gateways = await Promise.all(Array.from({ length: opts.gateways }, () => phase.gateway()));
    const one = new LiveSubscriber("one-streamer", ids.streamers[0]);
    const all = new LiveSubscriber("all-streamers", undefined);
    phase.subscribers.push(one, all);
    let at = 0;
    const gatewayUrl = () => gateways[at % gateways.length]?.url ?? "";
    await Promise.all(phase.subscribers.map((s) => s.connect(gatewayUrl())));
    log(`cluster: ${opts.workers} workers, ${opts.gateways} gateways, ${opts.streamers} streamers; feeding`);

    const feeder = await Feeder.start(bus, seededStream(ids, opts.seed), {
      chunk: 100,
      everyMs: 100,
    });
    const from = Date.now();
    await waitFor("the workers to apply the first records", () => watch.applied() >= 3_000, 120_000, 100);

    for (let round = 1; round <= opts.rounds; round++) {
      const victim = workers.shift();
      failovers.push(
        `worker SIGKILL: ${await timed(`round ${round}: SIGKILL ${victim?.name}`, watch, async () => {
          victim?.kill("SIGKILL");
          await victim?.exited;
        })} ms`,
      );
      failovers.push(
        `worker joins: ${await timed(`round ${round}: a worker joins`, watch, async () => {
          workers.push(await phase.worker());
        })} ms`,
      );
      // Gateway failover: the subscribers' gateway is killed; they resume on the next one.
      const dying = gateways[at % gateways.length];
      at++;
      dying?.process.kill("SIGKILL");
      await dying?.process.exited;
      const failAt = Date.now();
      await Promise.all(phase.subscribers.map((s) => s.failOver(gatewayUrl())));
      log(`round ${round}: subscribers failed over to ${gatewayUrl()} in ${Date.now() - failAt} ms`);
      const replaced = gateways.indexOf(dying as (typeof gateways)[number]);
      gateways[replaced] = await phase.gateway();

      const node = ((round - 1) % cluster.nodes.length) + 1;
      failovers.push(
        `broker ${node} of 3 SIGKILL: ${await timed(`round ${round}: SIGKILL broker ${node}`, watch, () =>
          killClusterNode(cluster, node),
        )} ms`,
      );
      await startClusterNode(cluster, node);
      log(`round ${round}: broker ${node} back`);

      const leaving = workers.shift();
      failovers.push(
        `worker SIGTERM: ${await timed(`round ${round}: SIGTERM ${leaving?.name}`, watch, async () => {
          leaving?.kill("SIGTERM");
          await leaving?.exited;
        })} ms`,
      );
      workers.push(await phase.worker());
      // A planned move: the subscribers leave for the next gateway while theirs stays up.
      at++;
      await Promise.all(phase.subscribers.map((s) => s.failOver(gatewayUrl())));
      log(`round ${round}: subscribers moved to ${gatewayUrl()}`);
    }
    return await finish(phase, feeder, watch, conn, from, "cluster", failovers);
  } finally {
    await phase.stop();
  }
}

/** One broker, stopped for 10 s and started again under two workers and a gateway. */
async function singleBrokerPhase(
  opts: Options,
  single: LocalCluster,
  conn: DatabaseConnection,
  databaseUrl: string,
): Promise<PhaseOutcome> {
  const ids = runIds("chaos1", opts.streamers);
  const phase = new Phase(ids, single.brokers, databaseUrl);
  try {
    const bus = runBus(ids, single.brokers, PARTITIONS);
    await bus.ensureTopics();
    const watch = new ProgressWatch(conn, ids.groupId, bus.topics.raw);
    await Promise.all([phase.worker(), phase.worker()]);
    const gateway = await phase.gateway();
    const all = new LiveSubscriber("all-streamers", undefined);
    phase.subscribers.push(all);
    await all.connect(gateway.url);
    log("single broker: 2 workers, 1 gateway; feeding");
    const feeder = await Feeder.start(bus, seededStream(ids, opts.seed + 1), {
      chunk: 100,
      everyMs: 100,
    });
    const from = Date.now();
    await waitFor("the workers to apply the first records", () => watch.applied() >= 3_000, 120_000, 100);
    await downLocalCluster(single, log);
    const down = Date.now();
    await waitFor("a 10 s outage", () => Date.now() - down >= 10_000, 20_000, 250);
    const ms = await timed("single broker restarted", watch, () =>
      startClusterNode(single, 1).then(() => undefined),
    );
    return await finish(phase, feeder, watch, conn, from, "single broker", [
      `broker restart: ${ms} ms after it answered`,
    ]);
  } finally {
    await phase.stop();
  }
}

async function main(): Promise<number> {
  const opts = readOptions(process.argv.slice(2));
  if (opts === "help") {
    console.log(HELP);
    return 0;
  }
  const env = readChaosEnv();
  const ports = privateBrokerPorts(env);
  const cluster = localCluster(ports.cluster, 3);
  const single = localCluster(ports.single, 1);
  const conn = connectDatabase(env.DATABASE_URL, { max: 2 });
  const started = Date.now();
  try {
    await conn.migrate();
    await upLocalCluster(cluster, log);
    const clustered = await clusterPhase(opts, cluster, conn, env.DATABASE_URL);
    await downLocalCluster(cluster, log);
    await upLocalCluster(single, log);
    const restarted = await singleBrokerPhase(opts, single, conn, env.DATABASE_URL);
    const trended = await trendingPhase(single.brokers, conn, env.DATABASE_URL, opts.seed, log);
    const outcomes = [clustered, restarted, trended];
    console.log(
      `\nchaos ${opts.quick ? "--quick " : ""}(seed ${opts.seed}), ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    for (const o of outcomes) {
      console.log(`\n${formatTable(o.emotes, o.verdicts)}`);
      console.log(`failovers (until every partition moved again): ${o.failovers.join("; ")}`);
    }
    const bad = outcomes
      .flatMap((o) => o.verdicts)
      .filter((v) => v.lost > 0 || v.duplicated > 0 || v.unexpected > 0);
    return bad.length === 0 ? 0 : 1;
  } finally {
    await downLocalCluster(cluster, log);
    await downLocalCluster(single, log);
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`chaos: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
