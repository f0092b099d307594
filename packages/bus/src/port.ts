/**
 * The bus port: the little the apps need from a log-based message bus. Kafka is one
 * adapter (./kafka); anything else that keeps per-key order and per-partition offsets
 * can be another without touching the apps.
 */
import type { TopicNames } from "./topics.ts";

/** Header values as Kafka carries them (a header may repeat). */
export type RecordHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export interface OutgoingRecord {
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: RecordHeaders;
}

/** Kafka's default `message.max.bytes`: what a topic takes when it sets no limit of its own. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
/** Room a record batch's header takes, and each record's framing in it. */
export const BATCH_FRAMING_BYTES = 1_024;
export const RECORD_FRAMING_BYTES = 64;
/** What a record sent alone needs beyond `recordBytes` to fit a topic's limit. */
export const LONE_RECORD_FRAMING_BYTES = BATCH_FRAMING_BYTES + RECORD_FRAMING_BYTES;

/** `err` and the errors it wraps (`cause`), at most five deep. */
export function* errorChain(err: unknown): Generator<Error> {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) yield e;
}

/** A record's size as the limit counts it: key, value and headers (Kafka adds a little framing). */
export function recordBytes(r: OutgoingRecord): number {
  let n = (r.key === null ? 0 : Buffer.byteLength(r.key)) + Buffer.byteLength(r.value);
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      n += Buffer.byteLength(name) + Buffer.byteLength(v);
    }
  }
  return n;
}

/** Shaped so Kafka's own message objects fit as they are: no copy per message. */
export interface IncomingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeaders;
  /**
   * Offset within the partition, as a decimal string (Kafka offsets exceed 2^53). Only grows,
   * across restarts of the bus too: stored checkpoints compare it with what they applied.
   */
  offset: string;
  /** When the record was produced (or appended), epoch milliseconds as a decimal string. */
  timestamp?: string;
}

/** One partition of a consumer group's position against the end of its log. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** The next offset the group will read (its committed offset). */
  committed: number;
  /** The next offset to be written (the high watermark). */
  end: number;
  lag: number;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: IncomingRecord[];
  /**
   * The partition's end offset (the next offset to be written, Kafka's high watermark) when
   * the batch was fetched, as a decimal string: past every record of the batch. A stored
   * checkpoint beyond it belongs to an earlier log of the same name (the topic was recreated).
   */
  end: string;
}

export interface BatchControl {
  /** False once the consumer is stopping or the batch's partition was revoked. */
  shouldContinue(): boolean;
  heartbeat(): Promise<void>;
  /** Marks everything up to and including `offset` as done; committed to the group. */
  commit(offset: string): Promise<void>;
}

/**
 * The bus refused records for good: sending them again would be refused the same way
 * (over the topic's size limit, not serialisable). Not an outage: the caller decides
 * which record is at fault instead of retrying.
 */
export class RecordRejectedError extends Error {
  override readonly name = "RecordRejectedError";
}

/** True when `err`, or an error it wraps, is a RecordRejectedError. */
export function isRecordRejected(err: unknown): boolean {
  for (const e of errorChain(err)) if (e instanceof RecordRejectedError) return true;
  return false;
}

export interface BusProducer {
  /**
   * Resolves once every record is acknowledged by all in-sync replicas. Records the bus
   * refuses for good fail it with a RecordRejectedError (others of the call may be stored).
   */
  send(batches: { topic: string; records: OutgoingRecord[] }[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface BusConsumer {
  /** Starts consuming; `handler` runs for one partition's batch at a time per partition. */
  run(handler: (batch: RecordBatch, control: BatchControl) => Promise<void>): Promise<void>;
  /** Called whenever this member (re)joins the group: earlier partition ownership is void. */
  onRebalance(listener: () => void): void;
  /** True while this member is in its group: false before it joins, after a crash, once stopped. */
  joined(): boolean;
  /**
   * Called once if the consumer stops for good (it will not restart by itself: a
   * handler's error marked `retriable: false`, or one the bus cannot recover from).
   */
  onStopped(listener: (err: Error) => void): void;
  /** The group's lag on every partition of its topics, asked of the bus now. */
  lag(): Promise<PartitionLag[]>;
  disconnect(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** How many partitions' batches may be handled at once. */
  concurrency?: number;
  /** How long the group waits for a silent member (a killed process) before rebalancing. */
  sessionTimeoutMs?: number;
  /** How often the member heartbeats (at most a third of the session timeout). */
  heartbeatIntervalMs?: number;
  /**
   * Committed offsets are sent to the group at most this often, off the batch's path (0 or
   * unset: after every batch, awaited), and on disconnect. For consumers whose group offset
   * only says where a restart begins reading: a crash or a rebalance then replays up to
   * this much, which they must skip or drop (the worker against its stored checkpoint, a
   * gateway's feed moments by position).
   */
  commitIntervalMs?: number;
  /**
   * A fetch waits up to this long for 64 KiB of records (Kafka's fetch.min.bytes and
   * fetch.max.wait.ms): fewer, larger batches, for at most this much added latency. Unset:
   * a fetch answers as soon as any record is there.
   */
  fetchWaitMs?: number;
}

export interface Bus {
  /** How readiness checks and metrics name this bus: "kafka" / "Kafka", or the in-process one. */
  readonly dependency: { name: string; label: string };
  producer(): Promise<BusProducer>;
  consumer(opts: ConsumerOptions): Promise<BusConsumer>;
  /** The contract topics' names on this bus (with the configured prefix). */
  topics: TopicNames;
  /** Creates the contract topics if missing. */
  ensureTopics(): Promise<void>;
  /** The largest record `topic` takes (Kafka: its `max.message.bytes`), in bytes. */
  maxMessageBytes(topic: string): Promise<number>;
}
