import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { createKafka } from "@emote/bus/kafka";
import { inArray, moments, rowToMoment } from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { startWorker } from "../../src/worker.ts";
import {
  busFor,
  byId,
  expectedMoments,
  infra,
  isolatedEnv,
  privateStart,
  produceRaw,
  testObservability,
  waitFor,
  type RawMessage,
  workerTestState,
} from "../harness.ts";

const { conn, running } = workerTestState();

describe("a raw topic deleted and created again while PostgreSQL keeps the checkpoints", () => {
  it("applies every emote of the new log: none is skipped as replayed", { timeout: 240_000 }, async () => {
    // One partition: the old checkpoint (N) lies beyond the new log's end (M < N).
    const env = isolatedEnv({ KAFKA_PARTITIONS: "1" });
    const bus = busFor(env);
    await bus.ensureTopics();
    const id = env.WORKER_GROUP_ID.slice(-8);
    const emotes = (streamerId: string, seed: number, count: number): RawMessage[] =>
      [...generateEmotes({ seed, start: privateStart(2004), count, emotes: ["🔥"] })].map((m) => ({
        ...m,
        streamerId,
      }));
    const before = emotes(`old-${id}`, 11, 90);
    const after = emotes(`new-${id}`, 12, 60);

    await produceRaw(bus, before);
    const first = await startWorker(env, testObservability());
    running.push(first);
    await waitFor("the first log applied", async () => (await first.metrics.totals()).consumed === 90);
    await first.stop();
    running.splice(0);

    const admin = createKafka({ brokers: infra.brokers, clientId: "worker-it-recreate" }).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [bus.topics.raw] });
      // The broker finishes a deletion in the background; creating the topic fails until then.
      await waitFor("the raw topic created again", async () => {
        try {
          await bus.ensureTopics();
          return (await admin.listTopics()).includes(bus.topics.raw);
        } catch {
          return false;
        }
      });
    } finally {
      await admin.disconnect();
    }
    await produceRaw(bus, after);

    const second = await startWorker(env, testObservability());
    running.push(second);
    await waitFor("the new log applied", async () => (await second.metrics.totals()).consumed === 60);
    const totals = await second.metrics.totals();
    expect(totals.skippedReplayed).toBe(0);
    expect((await second.metrics.earlierLogCheckpoints.get()).values.map((v) => v.value)).toEqual([1]);

    const expected = byId(expectedMoments(after, () => DEFAULT_SETTINGS));
    expect(expected.length).toBeGreaterThan(0);
    await waitFor("the new log's moments stored", async () => {
      const rows = await conn.db
        .select()
        .from(moments)
        .where(inArray(moments.streamerId, [`new-${id}`]));
      return rows.length === expected.length;
    });
    const rows = await conn.db
      .select()
      .from(moments)
      .where(inArray(moments.streamerId, [`new-${id}`]));
    expect(byId(rows.map(rowToMoment))).toEqual(expected);
  });
});
