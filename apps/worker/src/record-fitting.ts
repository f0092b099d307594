import { LONE_RECORD_FRAMING_BYTES, recordBytes, type OutgoingRecord } from "@emote/bus";
import type { Moment, WindowStats } from "@emote/contracts";
import { TRACEPARENT } from "@emote/observability";

/** `moments` as records within the moments topic's limit (`maxBytes`), halved until each fits. */
export function fittingRecords(streamerId: string, moments: Moment[], maxBytes: number): OutgoingRecord[] {
  const record: OutgoingRecord = { key: streamerId, value: JSON.stringify(moments) };
  const first = moments.find((m) => m.traceparent !== undefined)?.traceparent;
  if (first !== undefined) record.headers = { [TRACEPARENT]: first };
  if (moments.length === 1 || recordBytes(record) <= maxBytes - LONE_RECORD_FRAMING_BYTES) {
    return [record];
  }
  const mid = Math.ceil(moments.length / 2);
  return [
    ...fittingRecords(streamerId, moments.slice(0, mid), maxBytes),
    ...fittingRecords(streamerId, moments.slice(mid), maxBytes),
  ];
}

export function statsRecord(s: WindowStats): OutgoingRecord {
  return { key: s.streamerId, value: JSON.stringify(s) };
}
