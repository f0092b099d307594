import kafkajs, { type Admin, type Consumer, type Kafka } from "kafkajs";
import {
  BATCH_FRAMING_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  errorChain,
  RECORD_FRAMING_BYTES,
  RecordRejectedError,
  type Bus,
  type BusConsumer,
  type BusProducer,
  type ConsumerOptions,
  type OutgoingRecord,
  type PartitionLag,
  recordBytes,
} from "../port.ts";
import { topicNames } from "../topics.ts";
import { keyPartitioner } from "./key-partitioner.ts";
import { ensureTopics } from "./topics-admin.ts";

// Node's ESM loader finds only kafkajs's first few named exports; the rest via the default.

/** Broker answers that a retry of the same records would get again. */
const REJECTIONS = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
]);

function isRejection(err: unknown): boolean {
  for (const e of errorChain(err)) {
    // kafkajs throws these while encoding a value or header it cannot serialise.
    if (e.name === "TypeError" || e.name === "RangeError") return true;
    if (REJECTIONS.has((e as { type?: string }).type ?? "")) return true;
  }
  return false;
}

/**
 * A topic's records in runs that each fit the topic's limit: a partition's records travel
 * as one record batch, and `max.message.bytes` bounds the whole batch, not each record.
 */
function bySize(records: OutgoingRecord[], limit: number): OutgoingRecord[][] {
  const runs: OutgoingRecord[][] = [];
  let run: OutgoingRecord[] = [];
  let size = BATCH_FRAMING_BYTES;
  for (const r of records) {
    const n = recordBytes(r) + RECORD_FRAMING_BYTES;
    if (run.length > 0 && size + n > limit) {
      runs.push(run);
      run = [];
      size = BATCH_FRAMING_BYTES;
    }
    run.push(r);
    size += n;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

export function kafkaProducer(
  kafka: Kafka,
  limitOf: (topic: string) => Promise<number> = async () => DEFAULT_MAX_MESSAGE_BYTES,
): BusProducer & { connect(): Promise<void> } {
  // Idempotent with one request in flight: retries can neither duplicate nor reorder, so
  // they may go on for as long as the broker is away. The Java client's assignment of keys
  // to partitions (as other Kafka clients do), each key's hash computed once.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: keyPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
  });
  return {
    connect: () => producer.connect(),
    async send(batches) {
      // Usually one run per topic, so one request; big records take a request per run.
      const runs = await Promise.all(
        batches
          .filter((b) => b.records.length > 0)
          .map(async (b) => ({ b, runs: bySize(b.records, await limitOf(b.topic)) })),
      );
      for (let i = 0; runs.some((t) => i < t.runs.length); i++) {
        const topicMessages = runs.flatMap(({ b, runs: r }) => {
          const run = r[i];
          if (!run) return [];
          return [
            {
              topic: b.topic,
              messages: run.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
            },
          ];
        });
        try {
          await producer.sendBatch({ topicMessages, acks: -1 });
        } catch (err) {
          if (isRejection(err))
            throw new RecordRejectedError(`Kafka refused the records: ${String(err)}`, { cause: err });
          throw err;
        }
      }
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

/** What a fetch with a wait (ConsumerOptions.fetchWaitMs) waits for at most. */
const FETCH_WAIT_MIN_BYTES = 64 * 1024;

export function kafkaConsumer(
  kafka: Kafka,
  opts: ConsumerOptions,
): BusConsumer & { connect(): Promise<void> } {
  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
  // A wait of 0 with a minimum size would answer at once, empty: a spinning fetch loop.
  const fetchWaits = opts.fetchWaitMs !== undefined && opts.fetchWaitMs > 0;
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    // Without a wait: a fetch answers as soon as any record is there (at most 100 ms when none).
    maxWaitTimeInMs: fetchWaits ? opts.fetchWaitMs : 100,
    minBytes: fetchWaits ? FETCH_WAIT_MIN_BYTES : 1,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    sessionTimeout,
    heartbeatInterval: opts.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 3)),
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  const stoppedListeners: ((err: Error) => void)[] = [];
  // kafkajs restarts after retriable errors by itself; `restart: false` is the end.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return;
    for (const l of stoppedListeners) l(payload.error);
  });
  for (const left of [consumer.events.CRASH, consumer.events.STOP, consumer.events.DISCONNECT]) {
    consumer.on(left, () => (joined = false));
  }
  const commits = periodicCommits(consumer, opts.commitIntervalMs ?? 0);
  // A new generation may own other partitions: what the last one resolved is not ours to commit.
  consumer.on(consumer.events.GROUP_JOIN, () => commits?.forget());
  // Lag is asked for at every metrics scrape: one admin connection, opened on first use.
  let admin: Admin | undefined;
  let closed = false;
  // Batches being handled: disconnect() lets them finish before the last commit.
  let handling = 0;
  let drained: (() => void) | undefined;
  return {
    async connect() {
      if (opts.fromBeginning === false) await startNewGroupAtEnd(kafka, opts.groupId, opts.topics);
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
    },
    onRebalance(listener) {
      consumer.on(consumer.events.GROUP_JOIN, () => listener());
    },
    onStopped(listener) {
      stoppedListeners.push(listener);
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
        // resolved batch (unless commits are periodic) keeps replay after a crash short.
        autoCommit: commits === undefined,
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
          // Closing: a batch fetched meanwhile is left unresolved, for whoever reads the partition next.
          if (closed) return;
          handling++;
          try {
            await handler(
              {
                topic: batch.topic,
                partition: batch.partition,
                records: batch.messages,
                end: batch.highWatermark,
              },
              {
                shouldContinue: () => !closed && isRunning() && !isStale(),
                heartbeat,
                async commit(offset) {
                  resolveOffset(offset);
                  if (commits) commits.add(batch.topic, batch.partition, offset);
                  else await commitOffsetsIfNecessary();
                },
              },
            );
          } finally {
            handling--;
            if (handling === 0) drained?.();
          }
        },
      });
    },
    async disconnect() {
      closed = true;
      // The batches in hand resolve their offsets first; then those go to the group while
      // this member is still in it (kafkajs commits nothing for a consumer that is stopping).
      if (handling > 0) await new Promise<void>((resolve) => (drained = resolve));
      await commits?.close();
      await consumer.disconnect();
      await admin?.disconnect();
    },
  };
}

/**
 * Offsets resolved by batches, committed to the group by a timer at most every
 * `intervalMs` (one request in flight), so no batch waits for the group coordinator.
 * A failed commit is carried by the next one. Undefined when `intervalMs` is 0.
 */
function periodicCommits(consumer: Consumer, intervalMs: number) {
  if (intervalMs <= 0) return undefined;
  let pending = new Map<string, { topic: string; partition: number; offset: string }>();
  let lastCommit = 0;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  // Bumped by forget(): offsets of a commit that failed across a rebalance are not put back.
  let generation = 0;
  let closed = false;
  const schedule = (): void => {
    if (closed || timer || pending.size === 0) return;
    timer = setTimeout(() => void flush(), Math.max(0, lastCommit + intervalMs - Date.now()));
    timer.unref();
  };
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(async () => {
      if (pending.size === 0) return;
      const offsets = pending;
      const sentIn = generation;
      pending = new Map();
      lastCommit = Date.now();
      try {
        await consumer.commitOffsets([...offsets.values()]);
      } catch {
        // kafkajs logs the refusal; the next commit carries these offsets, unless a rebalance came between.
        if (sentIn !== generation) return;
        for (const [key, o] of offsets) if (!pending.has(key)) pending.set(key, o);
        schedule();
      }
    });
    return chain;
  };
  return {
    /** `offset` is the last one handled: the group is told the next one to read. */
    add(topic: string, partition: number, offset: string): void {
      pending.set(`${topic}\u0000${partition}`, {
        topic,
        partition,
        offset: (BigInt(offset) + 1n).toString(),
      });
      schedule();
    },
    forget(): void {
      generation++;
      pending.clear();
    },
    /** Sends what is pending, once; nothing is scheduled after it. */
    async close(): Promise<void> {
      await flush();
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** A topic's `max.message.bytes`, as the broker has it (its default when the topic sets none). */
async function topicMaxMessageBytes(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ["max.message.bytes"] },
      ],
    });
    const value = Number(
      resources[0]?.configEntries.find((e) => e.configName === "max.message.bytes")?.configValue,
    );
    return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES;
  } finally {
    await admin.disconnect();
  }
}

export function kafkaBus(kafka: Kafka, opts: { partitions: number; topicPrefix?: string }): Bus {
  const prefix = opts.topicPrefix ?? "";
  // Asked once per topic and process; a failed ask is asked again next time.
  const limits = new Map<string, Promise<number>>();
  const maxMessageBytes = (topic: string): Promise<number> => {
    let limit = limits.get(topic);
    if (!limit) {
      limit = topicMaxMessageBytes(kafka, topic);
      limits.set(topic, limit);
      limit.catch(() => limits.delete(topic));
    }
    return limit;
  };
  return {
    dependency: { name: "kafka", label: "Kafka" },
    topics: topicNames(prefix),
    maxMessageBytes,
    async producer() {
      const p = kafkaProducer(kafka, maxMessageBytes);
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
