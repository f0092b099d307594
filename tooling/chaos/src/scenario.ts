import { randomUUID } from "node:crypto";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus, IncomingRecord } from "@emote/bus";
import { DEFAULT_SETTINGS, type Moment } from "@emote/contracts";
import { inArray, moments, rowToMoment, type DatabaseConnection } from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { waitFor } from "@emote/testkit";
import { createObservability, kafkaLogging } from "@emote/observability";
import { byId, expectedBatches, expectedMoments, type ProducedEmote } from "@emote/worker/reference";
import type { ProgressWatch } from "./progress-watch.ts";

/** A private run on shared infrastructure: its own topics, worker group and streamers. */
export interface RunIds {
  id: string;
  topicPrefix: string;
  groupId: string;
  streamers: string[];
}

export function runIds(label: string, streamers: number): RunIds {
  const id = randomUUID().slice(0, 8);
  return {
    id,
    topicPrefix: `${label}-${id}.`,
    groupId: `${label}-worker-${id}`,
    streamers: Array.from({ length: streamers }, (_, i) => `${label}-${id}-${i + 1}`),
  };
}

/** The environment of a worker (or gateway) of this run. */
export function serviceVars(
  ids: RunIds,
  brokers: string[],
  databaseUrl: string,
  partitions: number,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(","),
    DATABASE_URL: databaseUrl,
    KAFKA_PARTITIONS: String(partitions),
    KAFKA_TOPIC_PREFIX: ids.topicPrefix,
    WORKER_GROUP_ID: ids.groupId,
    ...overrides,
  };
}

/** kafkajs's own connection errors while a broker is away are expected here: not logged. */
const quiet = kafkaLogging(createObservability("emote-chaos", { LOG_LEVEL: "silent" }).log);

export function runBus(ids: RunIds, brokers: string[], partitions: number): Bus {
  // Pauses of at most 1 s: the feed resumes as soon as a broker is back, so a resume
  // measured by the workers' progress is the workers', not the feed's back-off.
  return kafkaBus(createKafka({ brokers, clientId: `chaos-${ids.id}`, maxRetryTimeMs: 1_000, ...quiet }), {
    partitions,
    topicPrefix: ids.topicPrefix,
  });
}

/**
 * An endless seeded stream for the run's streamers: the generator's shape (bursts of one
 * emote), on a private stretch of virtual time so the rows it makes are this run's only.
 */
export function* seededStream(ids: RunIds, seed: number): Generator<ProducedEmote, void, undefined> {
  const start = Date.UTC(2011, 0, 1) + Math.floor(Math.random() * 4_000_000) * 60_000;
  for (const m of generateEmotes({ seed, streamers: ids.streamers.length, start })) {
    yield {
      emote: m.emote,
      timestamp: m.timestamp,
      streamerId: ids.streamers[Number(m.streamerId.slice(1)) - 1] ?? m.streamerId,
    };
  }
}

/**
 * Everything on `topic` now, each partition in offset order: what was really produced,
 * whatever the producers believe (a resent chunk shows up twice).
 */
export async function readTopic(bus: Bus, topic: string): Promise<IncomingRecord[][]> {
  const byPartition = new Map<number, IncomingRecord[]>();
  const reader = await bus.consumer({ groupId: `chaos-reader-${randomUUID()}`, topics: [topic] });
  await reader.run(async (batch, control) => {
    let list = byPartition.get(batch.partition);
    if (!list) byPartition.set(batch.partition, (list = []));
    list.push(...batch.records);
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  try {
    await waitFor(
      `everything on ${topic} to be read back`,
      // Metadata may still name a leader that moved (a broker was killed): ask again.
      () =>
        reader.lag().then(
          (lags) => lags.every((p) => p.lag === 0 && (byPartition.get(p.partition)?.length ?? 0) === p.end),
          () => false,
        ),
      120_000,
      200,
    );
  } finally {
    await reader.disconnect();
  }
  return [...byPartition.entries()].sort(([a], [b]) => a - b).map(([, records]) => records);
}

/** The raw emotes on the run's raw topic, as the workers will have read them. */
export async function producedEmotes(bus: Bus): Promise<ProducedEmote[]> {
  const partitions = await readTopic(bus, bus.topics.raw);
  return partitions.flat().map((r) => JSON.parse(String(r.value)) as ProducedEmote);
}

/** The moments the original rule finds in what was produced (the run's streamers have default settings). */
export function referenceMoments(sent: ProducedEmote[]): Moment[] {
  return byId(expectedMoments(sent, () => DEFAULT_SETTINGS));
}

/** Each reference moment's batch number within its streamer: the order live delivery must keep. */
export function referenceBatchSeqs(sent: ProducedEmote[]): Map<string, number> {
  const seqs = new Map<string, number>();
  for (const b of expectedBatches(sent, () => DEFAULT_SETTINGS)) {
    for (const m of b.moments) seqs.set(m.id, b.batchSeq);
  }
  return seqs;
}

export async function storedMoments(conn: DatabaseConnection, ids: RunIds): Promise<Moment[]> {
  const rows = await conn.db.select().from(moments).where(inArray(moments.streamerId, ids.streamers));
  return byId(rows.map(rowToMoment));
}

/**
 * Waits until every partition that had moved by `at` has moved again after it, and
 * returns how long the slowest took: the time its work stood still (a failover, a
 * rebalance, a broker's return).
 */
export async function resumedAfter(watch: ProgressWatch, at: number, timeoutMs = 90_000): Promise<number> {
  let worst = 0;
  await waitFor(
    "every partition to move again",
    () => {
      const moved = watch.movedAfter(at);
      if (moved.size === 0) return false;
      worst = 0;
      for (const t of moved.values()) {
        if (t === undefined) return false;
        worst = Math.max(worst, t - at);
      }
      return true;
    },
    timeoutMs,
    50,
  );
  return worst;
}
