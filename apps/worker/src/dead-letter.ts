import { createHash } from "node:crypto";
import {
  LONE_RECORD_FRAMING_BYTES,
  recordBytes,
  type IncomingRecord,
  type OutgoingRecord,
  type RecordHeaders,
} from "@emote/bus";
import type { DlqReason } from "@emote/contracts";

/**
 * Header names on `raw-emote-data.dlq`. The value is the original bytes, untouched, unless
 * the copy would not fit the DLQ topic: then `dlq-truncated` says what was cut, and the
 * original size and sha256 still identify the record.
 */
export const DLQ_HEADERS = {
  /** A code of DLQ_REASONS (@emote/contracts). */
  reason: "dlq-reason",
  /** What exactly was wrong: the schema's message, the database's or the broker's error. */
  error: "dlq-error",
  sourceTopic: "dlq-source-topic",
  sourcePartition: "dlq-source-partition",
  sourceOffset: "dlq-source-offset",
  /** Bytes of the original value. */
  originalSize: "dlq-original-size",
  /** sha256 of the original value, hex. */
  sha256: "dlq-value-sha256",
  /** Present when the copy was cut to fit: "value", "headers", "key", comma-separated. */
  truncated: "dlq-truncated",
} as const;

/** Why a record is dead-lettered: its code, and the detail for the `dlq-error` header. */
export interface Refusal {
  reason: DlqReason;
  detail: string;
}

const ERROR_MAX_CHARS = 1_024;
/** Original headers and keys up to this size are kept whole; the value gives way first. */
const SMALL_BYTES = 1_024;

/**
 * A dead letter could not be made to fit the DLQ topic even without its value (a limit
 * smaller than the DLQ's own headers): a misconfiguration no retry mends, so it says
 * `retriable: false` and the consumer stops for good (and the process is restarted).
 */
export class UndeliverableDeadLetterError extends Error {
  override readonly name = "UndeliverableDeadLetterError";
  readonly retriable = false;
}

/** Bytes of headers alone, as the size limit counts them. */
function headerBytes(headers: RecordHeaders): number {
  return recordBytes({ key: null, value: "", headers });
}

/**
 * The DLQ copy of `record`, at most `maxBytes` (the DLQ topic's `max.message.bytes`)
 * with the broker's framing. What gives way, in order: original headers over 1 KiB (a
 * 100 KB traceparent), a key over 1 KiB, then the value's tail.
 */
export function deadLetter(
  record: IncomingRecord,
  source: { topic: string; partition: number },
  refusal: Refusal,
  maxBytes: number,
): OutgoingRecord {
  const value = record.value ?? Buffer.alloc(0);
  const own: RecordHeaders = {
    [DLQ_HEADERS.reason]: refusal.reason,
    [DLQ_HEADERS.error]: refusal.detail.slice(0, ERROR_MAX_CHARS),
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: record.offset,
    [DLQ_HEADERS.originalSize]: String(value.length),
    [DLQ_HEADERS.sha256]: createHash("sha256").update(value).digest("hex"),
  };
  const truncated: string[] = [];
  let key = record.key;
  const budget = maxBytes - LONE_RECORD_FRAMING_BYTES - Buffer.byteLength(DLQ_HEADERS.truncated) - 20;
  const ownBytes = headerBytes(own);
  // The original headers travel on untouched, beside the DLQ's own, when they fit.
  let headers: RecordHeaders = { ...record.headers, ...own };
  const originalHeaderBytes = headerBytes(record.headers ?? {});
  if (
    originalHeaderBytes > SMALL_BYTES &&
    originalHeaderBytes + ownBytes + (key?.length ?? 0) + value.length > budget
  ) {
    headers = own;
    truncated.push("headers");
  }
  if (key && key.length > SMALL_BYTES && ownBytes + key.length + value.length > budget) {
    key = key.subarray(0, SMALL_BYTES);
    truncated.push("key");
  }
  const room = budget - headerBytes(headers) - (key?.length ?? 0);
  if (room < 0) {
    throw new UndeliverableDeadLetterError(
      `a dead letter of ${source.topic}[${source.partition}] offset ${record.offset} needs more than the DLQ topic's ${maxBytes} bytes even without its value`,
    );
  }
  let copy = value;
  if (value.length > room) {
    copy = value.subarray(0, room);
    truncated.push("value");
  }
  if (truncated.length > 0) headers = { ...headers, [DLQ_HEADERS.truncated]: truncated.join(",") };
  return { key, value: copy, headers };
}
