#!/usr/bin/env -S npx tsx
import { kafkaBrokers } from "@emote/config";
import { and, connectDatabase, consumerCheckpoints, eq } from "@emote/db";
import { upLocalKafka } from "@emote/infra";
import { waitFor } from "@emote/testkit";
import { readChaosEnv } from "./env.ts";
import { Feeder } from "./feeder.ts";
import { spawnService, stopAll } from "./fleet.ts";
import { ProgressWatch } from "./progress-watch.ts";
import { runBus, runIds, seededStream, serviceVars } from "./scenario.ts";

/**
 * Measures what one slow partition does to the others of the same worker: a row lock on
 * one partition's checkpoint holds that partition's commit for HOLD_MS, and the other
 * partitions' longest standstill is compared with the same window without the lock.
 */
const HOLD_MS = 6_000;
const PARTITIONS = 6;
const log = (line: string) => console.log(`[slow-partition] ${line}`);

const env = readChaosEnv();
const brokers = kafkaBrokers(env);
if (!env.KAFKA_BROKERS) await upLocalKafka(env.KAFKA_PORT, log);
const conn = connectDatabase(env.DATABASE_URL, { max: 3 });
await conn.migrate();
const ids = runIds("slowp", 24);
const bus = runBus(ids, brokers, PARTITIONS);
await bus.ensureTopics();
const watch = new ProgressWatch(conn, ids.groupId, bus.topics.raw);
const worker = spawnService("worker", "worker", serviceVars(ids, brokers, env.DATABASE_URL, PARTITIONS));
try {
  await worker.logged("worker consuming");
  const feeder = await Feeder.start(bus, seededStream(ids, 3), { chunk: 100, everyMs: 50 });
  await waitFor("the worker to apply the first records", () => watch.applied() >= 4_000, 120_000, 100);
  const slow = [...watch.offsets().keys()].sort((a, b) => a - b)[0] ?? 0;

  const baselineFrom = Date.now();
  await waitFor("the baseline window", () => Date.now() - baselineFrom >= HOLD_MS, HOLD_MS * 2, 100);
  const baseline = watch.longestGap(baselineFrom, Date.now(), slow);

  const holdFrom = Date.now();
  await conn.db.transaction(async (tx) => {
    await tx
      .select()
      .from(consumerCheckpoints)
      .where(
        and(
          eq(consumerCheckpoints.groupId, ids.groupId),
          eq(consumerCheckpoints.topic, bus.topics.raw),
          eq(consumerCheckpoints.partition, slow),
        ),
      )
      .for("update");
    await new Promise((r) => setTimeout(r, HOLD_MS));
  });
  const held = watch.longestGap(holdFrom, holdFrom + HOLD_MS, slow);
  await feeder.stop();
  log(
    `worker with WORKER_CONCURRENCY=3 on ${PARTITIONS} partitions: longest standstill of the other partitions ` +
      `${baseline} ms in ${HOLD_MS / 1000} s without a slow partition, ${held} ms while partition ${slow}'s commit was held ${HOLD_MS / 1000} s`,
  );
} finally {
  await watch.stop();
  await stopAll([worker]);
  await conn.close();
}
process.exit(0);
