import { Partitioners, type Admin, type Consumer, type Kafka } from "kafkajs";
import type { Bus, BusConsumer, BusProducer, ConsumerOptions, PartitionLag } from "../port.ts";
import { topicNames } from "../topics.ts";
import { ensureTopics } from "./topics-admin.ts";

export function kafkaProducer(kafka: Kafka): BusProducer & { connect(): Promise<void> } {
  // Idempotent with one request in flight: retries can neither duplicate nor reorder, so
  // they may go on for as long as the broker is away. The Java client's partitioner keeps
  // keys on the same partitions as other Kafka clients.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
  });
  return {
    connect: () => producer.connect(),
    async send(batches) {
      const topicMessages = batches
        .filter((b) => b.records.length > 0)
        .map((b) => ({
          topic: b.topic,
          messages: b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
        }));
      if (topicMessages.length === 0) return;
      await producer.sendBatch({ topicMessages, acks: -1 });
    },
    disconnect: () => producer.disconnect(),
  };
}

/**
 * kafkajs resolves "latest" lazily, at the first fetch after joining, so records produced
 * between joining and that fetch would be skipped. A new group instead gets the end
 * offsets of the moment it connects committed up front.
 */
async function startNewGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      if (committed.some((t) => t.partitions.some((p) => Number(p.offset) >= 0))) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export function kafkaConsumer(
  kafka: Kafka,
  opts: ConsumerOptions,
): BusConsumer & { connect(): Promise<void> } {
  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    sessionTimeout,
    heartbeatInterval: opts.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 3)),
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  for (const left of [consumer.events.CRASH, consumer.events.STOP, consumer.events.DISCONNECT]) {
    consumer.on(left, () => (joined = false));
  }
  // Lag is asked for at every metrics scrape: one admin connection, opened on first use.
  let admin: Admin | undefined;
  let closed = false;
  return {
    async connect() {
      if (opts.fromBeginning === false) await startNewGroupAtEnd(kafka, opts.groupId, opts.topics);
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
    },
    onRebalance(listener) {
      consumer.on(consumer.events.GROUP_JOIN, () => listener());
    },
    joined: () => joined,
    async lag() {
      if (closed) throw new Error("the consumer is disconnected");
      if (!admin) {
        admin = kafka.admin();
        await admin.connect();
      }
      const lags: PartitionLag[] = [];
      for (const topic of opts.topics) {
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: opts.groupId, topics: [topic] }),
        ]);
        for (const e of ends) {
          const c = Number(committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? -1);
          // No commit yet: the group will read from the log's start.
          const at = c >= 0 ? c : Number(e.low);
          const end = Number(e.high);
          lags.push({ topic, partition: e.partition, committed: at, end, lag: Math.max(0, end - at) });
        }
      }
      return lags;
    },
    async run(handler) {
      await consumer.run({
        // Offsets are resolved only once a batch's effects are durable; committing each
        // resolved batch keeps replay after a crash short.
        autoCommit: true,
        autoCommitThreshold: 1,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.concurrency ?? 1,
        eachBatch: async ({
          batch,
          resolveOffset,
          heartbeat,
          isRunning,
          isStale,
          commitOffsetsIfNecessary,
        }) => {
          await handler(
            { topic: batch.topic, partition: batch.partition, records: batch.messages },
            {
              shouldContinue: () => isRunning() && !isStale(),
              heartbeat,
              async commit(offset) {
                resolveOffset(offset);
                await commitOffsetsIfNecessary();
              },
            },
          );
        },
      });
    },
    async disconnect() {
      closed = true;
      await consumer.disconnect();
      await admin?.disconnect();
    },
  };
}

export function kafkaBus(kafka: Kafka, opts: { partitions: number; topicPrefix?: string }): Bus {
  const prefix = opts.topicPrefix ?? "";
  return {
    dependency: { name: "kafka", label: "Kafka" },
    topics: topicNames(prefix),
    async producer() {
      const p = kafkaProducer(kafka);
      await p.connect();
      return p;
    },
    async consumer(opts) {
      const c = kafkaConsumer(kafka, opts);
      await c.connect();
      return c;
    },
    async ensureTopics() {
      await ensureTopics(kafka, opts.partitions, prefix);
    },
  };
}
