import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { eq, moments, rowToMoment } from "@emote/db";
import { produceWithJavaClient, type KafkaCompression } from "@emote/testkit/java-producer";
import { startWorker } from "../../src/worker.ts";
import {
  busFor,
  byId,
  expectedMoments,
  infra,
  isolatedEnv,
  privateStart,
  testObservability,
  waitFor,
  type RawMessage,
  workerTestState,
} from "../harness.ts";

const { conn, running } = workerTestState();

const CODECS: KafkaCompression[] = ["none", "gzip", "snappy", "lz4", "zstd"];

/** 40 emotes of one streamer over 40 seconds, mostly one emote: enough for a moment. */
function emotesOf(streamerId: string, start: number): RawMessage[] {
  return Array.from({ length: 40 }, (_, i) => ({
    emote: i % 4 === 0 ? "😀" : "🔥",
    timestamp: new Date(start + i * 1_000).toISOString(),
    streamerId,
  }));
}

describe("the worker reads batches of every codec a Java producer writes", () => {
  it("analyses 40 emotes per codec (none, gzip, snappy, lz4, zstd) and dead-letters none", async () => {
    const env = isolatedEnv({ KAFKA_PARTITIONS: "2" });
    const bus = busFor(env);
    await bus.ensureTopics();
    const start = privateStart(2005);
    const id = env.WORKER_GROUP_ID.slice(-8);
    const sent = new Map(CODECS.map((c) => [c, emotesOf(`codec-${c}-${id}`, start)]));
    await produceWithJavaClient(
      infra.brokers,
      [...sent].flatMap(([compression, emotes]) =>
        emotes.map((e) => ({
          topic: bus.topics.raw,
          compression,
          key: e.streamerId ?? "",
          value: JSON.stringify(e),
        })),
      ),
    );

    const worker = await startWorker(env, testObservability());
    running.push(worker);
    const total = CODECS.length * 40;
    await waitFor(
      "every emote consumed",
      async () => (await worker.metrics.totals()).consumed === total,
      90_000,
    );
    const totals = await worker.metrics.totals();
    expect({ consumed: totals.consumed, deadLettered: totals.deadLettered }).toEqual({
      consumed: total,
      deadLettered: 0,
    });
    for (const [compression, emotes] of sent) {
      const expected = byId(expectedMoments(emotes, () => DEFAULT_SETTINGS));
      expect(expected.length).toBeGreaterThan(0);
      const streamerId = emotes[0]?.streamerId ?? "";
      await waitFor(`the ${compression} moments stored`, async () => {
        const rows = await conn.db.select().from(moments).where(eq(moments.streamerId, streamerId));
        return rows.length === expected.length;
      });
      const rows = await conn.db.select().from(moments).where(eq(moments.streamerId, streamerId));
      expect({ compression, moments: byId(rows.map(rowToMoment)) }).toEqual({
        compression,
        moments: expected,
      });
    }
  });
});
