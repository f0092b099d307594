import type {
  BatchControl,
  Bus,
  BusConsumer,
  BusProducer,
  ConsumerOptions,
  IncomingRecord,
  OutgoingRecord,
  RecordBatch,
} from "../port.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, recordBytes, RecordRejectedError } from "../port.ts";
import { topicNames } from "../topics.ts";

/**
 * An in-process bus with Kafka's semantics where the apps rely on them: topics split into
 * partitions by key (same key, same partition, order kept), consumer groups that share
 * a topic's partitions and remember committed offsets, rebalances when members come and
 * go. For the embedded mode and tests; nothing is kept across restarts.
 */
const MAX_BATCH = 5_000;

interface Member {
  topics: string[];
  assigned: Set<string>;
  onAssign: () => void;
}

/** One partition's log: `records[i]` has offset `start + i`. */
interface PartitionLog {
  start: number;
  records: IncomingRecord[];
}

/** Where one partition's offsets begin (the next offset of an earlier run of the bus). */
export interface FirstOffset {
  topic: string;
  partition: number;
  offset: number;
}

interface Group {
  committed: Map<string, number>;
  members: Set<Member>;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The next offset to be written (Kafka's high watermark). */
function endOffset(log: PartitionLog): number {
  return log.start + log.records.length;
}

/** FNV-1a: stable across runs, so a key always lands on the same partition. */
function hashKey(key: string | Buffer): number {
  const bytes = typeof key === "string" ? Buffer.from(key) : key;
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export class MemoryLog {
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, Group>();
  private readonly waiters = new Set<() => void>();
  private roundRobin = 0;

  private readonly firstOffsets = new Map<string, number>();

  constructor(
    private readonly defaultPartitions: number,
    firstOffsets: readonly FirstOffset[] = [],
  ) {
    for (const f of firstOffsets) {
      if (!Number.isSafeInteger(f.offset) || f.offset < 0) {
        throw new RangeError(
          `${f.topic}[${f.partition}]: first offset ${f.offset} is not a whole number ≥ 0`,
        );
      }
      this.firstOffsets.set(partitionKey(f.topic, f.partition), f.offset);
    }
  }

  ensureTopic(topic: string, partitions = this.defaultPartitions): void {
    if (!this.logs.has(topic))
      this.logs.set(
        topic,
        Array.from({ length: partitions }, (_, p) => ({
          start: this.firstOffsets.get(partitionKey(topic, p)) ?? 0,
          records: [],
        })),
      );
  }

  partitions(topic: string): PartitionLog[] {
    this.ensureTopic(topic);
    return this.logs.get(topic) as PartitionLog[];
  }

  append(topic: string, record: OutgoingRecord): void {
    const parts = this.partitions(topic);
    const p = record.key === null ? this.roundRobin++ % parts.length : hashKey(record.key) % parts.length;
    const log = parts[p] as PartitionLog;
    const incoming: IncomingRecord = {
      key: record.key === null ? null : Buffer.from(record.key),
      value: Buffer.from(record.value),
      offset: String(endOffset(log)),
      timestamp: String(Date.now()),
    };
    if (record.headers) incoming.headers = record.headers;
    log.records.push(incoming);
  }

  /** Wakes every consumer loop waiting for new records. */
  notify(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }

  waitForRecords(signal: { stopped: boolean }): Promise<void> {
    if (signal.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = { committed: new Map(), members: new Set() };
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Spreads every subscribed partition over the group's members, round robin. */
  rebalance(group: Group): void {
    const members = [...group.members];
    for (const m of members) m.assigned = new Set();
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    let i = 0;
    for (const topic of topics) {
      const subscribers = members.filter((m) => m.topics.includes(topic));
      this.partitions(topic).forEach((_, p) => {
        subscribers[i++ % subscribers.length]?.assigned.add(partitionKey(topic, p));
      });
    }
    for (const m of members) m.onAssign();
  }
}

export function memoryBus(opts: {
  partitions: number;
  topicPrefix?: string;
  log?: MemoryLog;
  /** Where partitions' offsets begin (default 0): an earlier run's next offsets, so they only grow. */
  firstOffsets?: readonly FirstOffset[];
  /** Per topic, the largest record it takes (default Kafka's, so what fits here fits a default broker). */
  maxMessageBytes?: Record<string, number>;
}): Bus & { log: MemoryLog } {
  const log = opts.log ?? new MemoryLog(opts.partitions, opts.firstOffsets);
  const topics = topicNames(opts.topicPrefix ?? "");
  const limit = (topic: string) => opts.maxMessageBytes?.[topic] ?? DEFAULT_MAX_MESSAGE_BYTES;
  return {
    dependency: { name: "in-process-bus", label: "In-process bus" },
    log,
    topics,
    async ensureTopics() {
      for (const t of Object.values(topics)) log.ensureTopic(t, opts.partitions);
    },
    async maxMessageBytes(topic) {
      return limit(topic);
    },
    async producer(): Promise<BusProducer> {
      return {
        async send(batches) {
          // All or nothing, checked before anything is appended.
          for (const b of batches) {
            for (const r of b.records) {
              const size = recordBytes(r);
              if (size > limit(b.topic)) {
                throw new RecordRejectedError(
                  `a ${size}-byte record is over ${b.topic}'s limit of ${limit(b.topic)}`,
                );
              }
            }
          }
          for (const b of batches) for (const r of b.records) log.append(b.topic, r);
          log.notify();
        },
        async disconnect() {},
      };
    },
    async consumer(options: ConsumerOptions): Promise<BusConsumer> {
      return memoryConsumer(log, options);
    },
  };
}

function memoryConsumer(log: MemoryLog, opts: ConsumerOptions): BusConsumer {
  const group = log.group(opts.groupId);
  const rebalanceListeners: (() => void)[] = [];
  const stoppedListeners: ((err: Error) => void)[] = [];
  const state = { stopped: false };
  const positions = new Map<string, number>();
  let generation = 0;
  const member: Member = {
    topics: opts.topics,
    assigned: new Set(),
    onAssign: () => {
      generation++;
      positions.clear();
      for (const l of rebalanceListeners) l();
      log.notify();
    },
  };
  for (const t of opts.topics) log.ensureTopic(t);
  // Where a group without a committed offset starts: the beginning, or the end at join time.
  const startOffsets = new Map<string, number>();
  for (const t of opts.topics) {
    log
      .partitions(t)
      .forEach((part, p) =>
        startOffsets.set(partitionKey(t, p), opts.fromBeginning === false ? endOffset(part) : part.start),
      );
  }
  let running: Promise<void> | undefined;

  async function loop(handler: (batch: RecordBatch, control: BatchControl) => Promise<void>) {
    while (!state.stopped) {
      let delivered = false;
      for (const key of [...member.assigned]) {
        if (state.stopped) break;
        const [topic, p] = key.split("\u0000") as [string, string];
        const partition = Number(p);
        const part = log.partitions(topic)[partition];
        if (!part) continue;
        const from = positions.get(key) ?? group.committed.get(key) ?? startOffsets.get(key) ?? part.start;
        if (from >= endOffset(part)) continue;
        const batch = part.records.slice(from - part.start, from - part.start + MAX_BATCH);
        const myGeneration = generation;
        positions.set(key, from + batch.length);
        delivered = true;
        try {
          await handler(
            { topic, partition, records: batch, end: String(endOffset(part)) },
            {
              shouldContinue: () => !state.stopped && generation === myGeneration && member.assigned.has(key),
              heartbeat: async () => undefined,
              commit: async (offset) => {
                group.committed.set(key, Number(offset) + 1);
              },
            },
          );
        } catch (err) {
          if ((err as { retriable?: unknown }).retriable === false) {
            // As kafkajs does with an error that says a retry is pointless: stop for good.
            state.stopped = true;
            const error = err instanceof Error ? err : new Error(String(err));
            for (const l of stoppedListeners) l(error);
            break;
          }
          // As kafkajs does: redeliver from the last committed offset after a pause.
          positions.delete(key);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      if (!delivered) await log.waitForRecords(state);
    }
  }

  return {
    onRebalance(listener) {
      rebalanceListeners.push(listener);
    },
    onStopped(listener) {
      stoppedListeners.push(listener);
    },
    joined: () => running !== undefined && !state.stopped,
    async lag() {
      return opts.topics.flatMap((topic) =>
        log.partitions(topic).map((part, partition) => {
          const key = partitionKey(topic, partition);
          const committed = group.committed.get(key) ?? startOffsets.get(key) ?? part.start;
          const end = endOffset(part);
          return { topic, partition, committed, end, lag: end - committed };
        }),
      );
    },
    async run(handler) {
      group.members.add(member);
      log.rebalance(group);
      running = loop(handler);
    },
    async disconnect() {
      state.stopped = true;
      log.notify();
      await running;
      group.members.delete(member);
      if (group.members.size > 0) log.rebalance(group);
    },
  };
}
