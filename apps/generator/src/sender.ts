import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { BusProducer, OutgoingRecord } from "@emote/bus";
import { encodeRawEmote, VIEWER_HEADER } from "@emote/contracts";
import {
  SpanKind,
  startTracing,
  TRACEPARENT,
  type Logger,
  type SpanHandle,
  type Tracing,
} from "@emote/observability";
import type { TracedEmoteMessage } from "./emote-stream.ts";

/**
 * Records per request ("a few thousand"). On the 2-core dev box (1M emotes, 100 streamers,
 * 6 partitions, broker on the same machine) 1,000, 2,000 and 4,000 measured 35k–52k/s,
 * 4,000 best; the producer is CPU-bound in kafkajs, whose per-partition grouping grows
 * quadratically with the batch, so much larger batches get slower again.
 */
export const DEFAULT_BATCH_SIZE = 4_000;

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

export interface SendOptions {
  topic: string;
  /**
   * Real time: each message waits until its timestamp, measured from the first message's,
   * is due on the wall clock. A producer that falls behind catches up in full batches.
   */
  paced: boolean;
  batchSize?: number;
  /** Stop taking messages from the source; those already due are still sent. */
  signal?: AbortSignal;
  /** Called with the size of every acknowledged batch. */
  onSent?: (records: number) => void;
  /** Kept up to date while sending: `taken - sent` emotes are pending (buffered or in flight). */
  progress?: SendProgress;
  /**
   * One "emote produce" span per emote, ended when Kafka acknowledges it; its traceparent goes
   * into the record's `traceparent` header. Omitted: a new random traceparent per emote.
   */
  tracing?: Tracing;
  /** At debug level, one line per acknowledged emote with its trace id. */
  log?: Logger;
  clock?: Clock;
}

export interface SendProgress {
  /** Emotes taken from the source into a batch. */
  taken: number;
  /** Emotes Kafka acknowledged. */
  sent: number;
}

/** Without a process's tracing: random root contexts, nothing recorded. */
let untraced: Tracing | undefined;

const ROOT_SPAN = { kind: SpanKind.PRODUCER };
const SPAN_NAME = "emote produce";

/** The message without its recorded trace context and viewer, which travel as headers instead. */
function recordValue(message: TracedEmoteMessage): string {
  if (message.traceparent === undefined && message.viewer === undefined) return encodeRawEmote(message);
  const { traceparent: _, viewer: __, ...rest } = message;
  return encodeRawEmote(rest);
}

/**
 * Real time: a message is due on the wall clock at the first message's wall time plus the
 * distance between their timestamps.
 */
class Pacer {
  private origin: { wallMs: number; streamMs: number } | undefined;

  constructor(private readonly clock: Clock) {}

  /** Milliseconds until the message stamped `timestamp` is due (≤ 0: due now). */
  dueIn(timestamp: string): number {
    const streamMs = Date.parse(timestamp);
    this.origin ??= { wallMs: this.clock.now(), streamMs };
    return this.origin.wallMs + (streamMs - this.origin.streamMs) - this.clock.now();
  }
}

/**
 * The batch being filled and the one on the wire: one request at a time keeps the order the
 * idempotent producer guarantees. A failed send is kept aside (so it cannot become an
 * unhandled rejection while the next batch is built) and thrown by the next flush.
 */
class BatchPipeline {
  sent = 0;
  private pending: OutgoingRecord[] = [];
  private pendingSpans: SpanHandle[] = [];
  private pendingEmotes: TracedEmoteMessage[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly producer: Pick<BusProducer, "send">,
    private readonly topic: string,
    private readonly options: Pick<SendOptions, "onSent" | "progress" | "log">,
    /** Per-emote work only when someone looks: spans kept for exporters, emotes for debug lines. */
    private readonly keep: { spans: boolean; emotes: boolean },
  ) {}

  get size(): number {
    return this.pending.length;
  }

  add(record: OutgoingRecord, span: SpanHandle, message: TracedEmoteMessage): void {
    if (this.keep.spans) this.pendingSpans.push(span);
    if (this.keep.emotes) this.pendingEmotes.push(message);
    this.pending.push(record);
    if (this.options.progress) this.options.progress.taken++;
  }

  /** Waits for the batch on the wire, then puts the pending one there. */
  async flush(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure.error;
    if (this.pending.length === 0) return;
    const records = this.pending;
    const spans = this.pendingSpans;
    const emotes = this.pendingEmotes;
    this.pending = [];
    if (this.keep.spans) this.pendingSpans = [];
    if (this.keep.emotes) this.pendingEmotes = [];
    this.inFlight = this.producer.send([{ topic: this.topic, records }]).then(
      () => {
        for (const span of spans) span.end();
        this.acknowledged(records, emotes);
      },
      (error: unknown) => {
        for (const span of spans) span.end();
        this.failure = { error };
      },
    );
  }

  /** Flushes what is pending and waits until Kafka acknowledged all of it. */
  async finish(): Promise<number> {
    await this.flush();
    await this.inFlight;
    if (this.failure) throw this.failure.error;
    return this.sent;
  }

  private acknowledged(records: OutgoingRecord[], emotes: TracedEmoteMessage[]): void {
    const { progress, onSent, log } = this.options;
    this.sent += records.length;
    if (progress) progress.sent += records.length;
    onSent?.(records.length);
    if (!this.keep.emotes || !log) return;
    for (let i = 0; i < emotes.length; i++) {
      const m = emotes[i] as TracedEmoteMessage;
      const traceparent = (records[i]?.headers?.[TRACEPARENT] as string | undefined) ?? "";
      log.debug(
        { traceId: traceparent.slice(3, 35), streamerId: m.streamerId, emote: m.emote },
        "emote sent",
      );
    }
  }
}

/**
 * Sends a stream of emotes, keyed by streamerId, each with a `traceparent` header, and
 * resolves with the number sent once all are acknowledged. The next batch is built while
 * the previous one is on the wire. A message's own `traceparent` (a replayed one) is the
 * parent of its span.
 */
export async function sendEmotes(
  producer: Pick<BusProducer, "send">,
  source: Iterable<TracedEmoteMessage> | AsyncIterable<TracedEmoteMessage>,
  options: SendOptions,
): Promise<number> {
  const { topic, signal, log } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const clock = options.clock ?? realClock;
  const tracing = options.tracing ?? (untraced ??= startTracing({ service: "emote-generator" }));
  const exporting = tracing.exporting;
  const batches = new BatchPipeline(producer, topic, options, {
    spans: exporting,
    emotes: log?.isLevelEnabled("debug") ?? false,
  });
  const pacer = options.paced ? new Pacer(clock) : undefined;

  for await (const message of source) {
    if (signal?.aborted) break;
    if (pacer && pacer.dueIn(message.timestamp) > 0) {
      // Everything taken so far is due: send it before waiting for the next tick.
      await batches.flush();
      // Flushing may have waited for an earlier ack, so look at the clock again.
      const wait = pacer.dueIn(message.timestamp);
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal?.aborted) break;
    }
    const span = tracing.startSpan(
      SPAN_NAME,
      exporting || message.traceparent !== undefined
        ? {
            parent: message.traceparent,
            kind: SpanKind.PRODUCER,
            attributes: exporting
              ? { "emote.streamer_id": message.streamerId, "emote.emote": message.emote }
              : undefined,
          }
        : ROOT_SPAN,
    );
    // TRACEPARENT, spelled as a literal key: one small object per emote.
    const record = {
      key: message.streamerId,
      value: recordValue(message),
      headers:
        message.viewer === undefined
          ? { traceparent: span.traceparent }
          : { traceparent: span.traceparent, [VIEWER_HEADER]: message.viewer },
    };
    batches.add(record, span, message);
    if (batches.size >= batchSize) await batches.flush();
  }
  return batches.finish();
}
