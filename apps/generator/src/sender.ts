import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { BusProducer, OutgoingRecord } from "@emote/bus";
import { encodeRawEmote } from "@emote/contracts";
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

/** The message without its recorded trace context, which travels as a header instead. */
function recordValue(message: TracedEmoteMessage): string {
  if (message.traceparent === undefined) return encodeRawEmote(message);
  const { traceparent: _, ...rest } = message;
  return encodeRawEmote(rest);
}

/**
 * Sends a stream of emotes, keyed by streamerId, each with a `traceparent` header, and
 * resolves with the number sent once all are acknowledged. One request at a time keeps the
 * order the idempotent producer guarantees; the next batch is built while the previous one
 * is on the wire. A message's own `traceparent` (a replayed one) is the parent of its span.
 */
export async function sendEmotes(
  producer: Pick<BusProducer, "send">,
  source: Iterable<TracedEmoteMessage> | AsyncIterable<TracedEmoteMessage>,
  options: SendOptions,
): Promise<number> {
  const { topic, paced, signal, onSent, progress, log } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const clock = options.clock ?? realClock;
  const tracing = options.tracing ?? (untraced ??= startTracing({ service: "emote-generator" }));
  // Per-emote work only when someone looks: spans kept for exporters, emotes kept for debug lines.
  const exporting = tracing.exporting;
  const debug = log?.isLevelEnabled("debug") ?? false;

  let sent = 0;
  let pending: OutgoingRecord[] = [];
  let pendingSpans: SpanHandle[] = [];
  let pendingEmotes: TracedEmoteMessage[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  // Kept aside so a failed send cannot become an unhandled rejection while we generate.
  let failure: { error: unknown } | undefined;

  const flush = async (): Promise<void> => {
    await inFlight;
    if (failure) throw failure.error;
    if (pending.length === 0) return;
    const records = pending;
    const spans = pendingSpans;
    const emotes = pendingEmotes;
    pending = [];
    if (exporting) pendingSpans = [];
    if (debug) pendingEmotes = [];
    inFlight = producer.send([{ topic, records }]).then(
      () => {
        for (const span of spans) span.end();
        sent += records.length;
        if (progress) progress.sent += records.length;
        onSent?.(records.length);
        if (debug && log) {
          for (let i = 0; i < emotes.length; i++) {
            const m = emotes[i] as TracedEmoteMessage;
            const traceparent = (records[i]?.headers?.[TRACEPARENT] as string | undefined) ?? "";
            log.debug(
              { traceId: traceparent.slice(3, 35), streamerId: m.streamerId, emote: m.emote },
              "emote sent",
            );
          }
        }
      },
      (error: unknown) => {
        for (const span of spans) span.end();
        failure = { error };
      },
    );
  };

  let origin: { wallMs: number; streamMs: number } | undefined;
  for await (const message of source) {
    if (signal?.aborted) break;
    if (paced) {
      const streamMs = Date.parse(message.timestamp);
      origin ??= { wallMs: clock.now(), streamMs };
      const dueAt = origin.wallMs + (streamMs - origin.streamMs);
      if (dueAt > clock.now()) {
        // Everything taken so far is due: send it before waiting for the next tick.
        await flush();
        // Flushing may have waited for an earlier ack, so look at the clock again.
        const wait = dueAt - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        if (signal?.aborted) break;
      }
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
    if (exporting) pendingSpans.push(span);
    if (debug) pendingEmotes.push(message);
    pending.push({
      key: message.streamerId,
      value: recordValue(message),
      // TRACEPARENT, spelled as a literal key: one small object per emote.
      headers: { traceparent: span.traceparent },
    });
    if (progress) progress.taken++;
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  await inFlight;
  if (failure) throw failure.error;
  return sent;
}
