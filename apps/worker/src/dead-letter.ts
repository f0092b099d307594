import type { IncomingRecord, OutgoingRecord, RecordHeaders } from "@emote/bus";

/** Header names on `raw-emote-data.dlq`; the value is the original bytes, untouched. */
export const DLQ_HEADERS = {
  reason: "dlq-reason",
  sourceTopic: "dlq-source-topic",
  sourcePartition: "dlq-source-partition",
  sourceOffset: "dlq-source-offset",
} as const;

export function deadLetter(
  record: IncomingRecord,
  source: { topic: string; partition: number },
  reason: string,
): OutgoingRecord {
  // The original headers travel on untouched, beside the DLQ's own.
  const headers: RecordHeaders = {
    ...record.headers,
    [DLQ_HEADERS.reason]: reason,
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: record.offset,
  };
  return { key: record.key, value: record.value ?? Buffer.alloc(0), headers };
}
