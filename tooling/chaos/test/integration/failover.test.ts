import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { Bus } from "@emote/bus";
import { connectDatabase } from "@emote/db";
import {
  downLocalCluster,
  localCluster,
  startClusterNode,
  killClusterNode,
  upLocalCluster,
} from "@emote/infra";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { privateBrokerPorts, readChaosEnv } from "../../src/env.ts";
import { Feeder } from "../../src/feeder.ts";
import { spawnService, stopAll, type ServiceProcess } from "../../src/fleet.ts";
import { ProgressWatch } from "../../src/progress-watch.ts";
import {
  producedEmotes,
  referenceMoments,
  resumedAfter,
  runBus,
  runIds,
  seededStream,
  serviceVars,
  storedMoments,
  type RunIds,
} from "../../src/scenario.ts";

const infra = testInfraConfig();
/** The private brokers of these tests (KAFKA_TEST_CLUSTER_PORT, beside the shared broker). */
const ports = privateBrokerPorts(readChaosEnv());
const cluster = localCluster(ports.cluster, 3);
const restartable = localCluster(ports.single, 1);

/** A dead worker's partitions, or the group after a broker's return, resume within this (~10 s nominal, slack for a loaded CI machine). */
const RESUME_BOUND_MS = 15_000;
/**
 * After a broker of three is killed: its fencing (4 s), leader elections and a coordinator
 * move; 0.4–5.6 s measured, 13.5 s once at a load average of 19 on 2 cores.
 */
const BROKER_LOSS_BOUND_MS = 20_000;
const PARTITIONS = 6;

const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const running: ServiceProcess[] = [];
const log = (line: string) => console.log(`[failover] ${line}`);

// The private brokers start while the first test runs on the shared one (a JVM start
// takes 10–50 s on a loaded 2-core machine).
let brokersUp: Promise<[void, void]> | undefined;
beforeAll(() => {
  brokersUp = Promise.all([upLocalCluster(cluster, log), upLocalCluster(restartable, log)]);
  // Awaited by the tests that need them; a failure surfaces there.
  brokersUp.catch(() => undefined);
});

afterAll(async () => {
  await stopAll(running);
  await conn.close();
  await downLocalCluster(cluster, log);
  await downLocalCluster(restartable, log);
});

function worker(ids: RunIds, brokers: string[], name: string, overrides: Record<string, string> = {}) {
  const w = spawnService("worker", name, serviceVars(ids, brokers, infra.databaseUrl, PARTITIONS, overrides));
  running.push(w);
  // A failure on CI is diagnosed from these alone (the brokers' logs: .cache/kafka/cluster-<port>/node-<i>/logs).
  onTestFailed(() => console.log(`[${name}] log:\n${w.output().join("\n")}`));
  return w;
}

/** Until the workers have applied enough that every partition with streamers on it has a checkpoint. */
function flowing(watch: ProgressWatch): Promise<void> {
  return waitFor("the workers to apply the first records", () => watch.applied() >= 4_000, 90_000, 100);
}

/** Stops the feed, waits until the group applied all of it, and checks the stored moments against the reference. */
async function settle(bus: Bus, feeder: Feeder, watch: ProgressWatch, ids: RunIds): Promise<void> {
  await feeder.stop();
  const produced = await producedEmotes(bus);
  expect(produced.length).toBeGreaterThanOrEqual(feeder.sent.length);
  const total = produced.length;
  await waitFor("the workers to apply everything produced", () => watch.applied() === total, 120_000, 100);
  const stored = await storedMoments(conn, ids);
  const expected = referenceMoments(produced);
  expect(expected.length).toBeGreaterThan(50);
  expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
  // Field by field against the reference; fields it does not know (a stored position) are not compared.
  expect(stored).toMatchObject(expected);
}

describe("failover with real worker processes", () => {
  it("three workers: SIGKILL one, add one, SIGTERM one mid-stream; the stored moments equal the reference", async () => {
    const ids = runIds("fo3", 24);
    const bus = runBus(ids, infra.brokers, PARTITIONS);
    await bus.ensureTopics();
    const watch = new ProgressWatch(conn, ids.groupId, bus.topics.raw);
    const workers = [1, 2, 3].map((i) => worker(ids, infra.brokers, `worker-${i}`));
    await Promise.all(workers.map((w) => w.logged("worker consuming")));
    const feeder = await Feeder.start(bus, seededStream(ids, 12), { chunk: 200, everyMs: 100 });
    const from = Date.now();
    await flowing(watch);

    const killedAt = Date.now();
    workers[0]?.kill("SIGKILL");
    expect((await workers[0]?.exited)?.signal).toBe("SIGKILL");
    const afterKill = await resumedAfter(watch, killedAt);

    const added = worker(ids, infra.brokers, "worker-4");
    await added.logged("worker consuming");
    const addedAt = Date.now();
    const afterAdd = await resumedAfter(watch, addedAt);

    const termAt = Date.now();
    workers[1]?.kill("SIGTERM");
    expect((await workers[1]?.exited)?.code).toBe(0);
    const afterTerm = await resumedAfter(watch, termAt);

    await settle(bus, feeder, watch, ids);
    const stall = watch.longestStall(from, watch.offsets());
    await watch.stop();
    await stopAll([workers[2] as ServiceProcess, added]);
    log(
      `emotes ${feeder.sent.length}; partitions resumed after SIGKILL ${afterKill} ms, ` +
        `after a join ${afterAdd} ms, after SIGTERM ${afterTerm} ms; longest stall ${stall.ms} ms`,
    );
    expect(afterKill).toBeLessThan(RESUME_BOUND_MS);
    expect(stall.ms).toBeLessThan(RESUME_BOUND_MS);
  });

  it("a single broker restarted mid-stream: nothing lost, the worker resumes without waiting out its session", async () => {
    await brokersUp;
    const ids = runIds("fobr", 24);
    const bus = runBus(ids, restartable.brokers, PARTITIONS);
    await bus.ensureTopics();
    const watch = new ProgressWatch(conn, ids.groupId, bus.topics.raw);
    // A 30 s session: rejoining as a new member would wait that long for the old one to expire.
    const w = worker(ids, restartable.brokers, "worker-br", { WORKER_SESSION_TIMEOUT_MS: "30000" });
    await w.logged("worker consuming");
    const feeder = await Feeder.start(bus, seededStream(ids, 21), { chunk: 200, everyMs: 100 });
    await flowing(watch);

    await downLocalCluster(restartable, log);
    const outage = Date.now();
    // The outage outlasts kafkajs's request retries, so the consumer crashes and restarts.
    await waitFor("the feed to block on the missing broker", () => Date.now() - outage > 8_000, 20_000, 200);
    await startClusterNode(restartable, 1);
    const backAt = Date.now();
    const resumed = await resumedAfter(watch, backAt);

    await settle(bus, feeder, watch, ids);
    await watch.stop();
    await stopAll([w]);
    log(`emotes ${feeder.sent.length}; resumed ${resumed} ms after the broker answered again (session 30 s)`);
    expect(resumed).toBeLessThan(RESUME_BOUND_MS);
  });

  it("one broker of three killed mid-stream: nothing lost, the workers resume unaided", async () => {
    await brokersUp;
    await upLocalCluster(cluster, log);
    const ids = runIds("focl", 24);
    const bus = runBus(ids, cluster.brokers, PARTITIONS);
    await bus.ensureTopics();
    const watch = new ProgressWatch(conn, ids.groupId, bus.topics.raw);
    const workers = [1, 2].map((i) => worker(ids, cluster.brokers, `worker-cl${i}`));
    await Promise.all(workers.map((w) => w.logged("worker consuming")));
    const feeder = await Feeder.start(bus, seededStream(ids, 33), { chunk: 200, everyMs: 100 });
    await flowing(watch);

    const killedAt = Date.now();
    await killClusterNode(cluster, 1);
    const resumed = await resumedAfter(watch, killedAt);

    await settle(bus, feeder, watch, ids);
    await watch.stop();
    await stopAll(workers);
    log(`emotes ${feeder.sent.length}; resumed ${resumed} ms after broker 1 of 3 was killed`);
    expect(resumed).toBeLessThan(BROKER_LOSS_BOUND_MS);
    await startClusterNode(cluster, 1);
  });
});
