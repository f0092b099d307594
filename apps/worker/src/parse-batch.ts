import { parseRawEmote, type TimestampWindow } from "@emote/contracts";
import type { Refusal } from "./dead-letter.ts";

/**
 * A partition batch's message values packed into one buffer, so they cross to the parse
 * thread as a single transfer instead of thousands of cloned Buffers.
 */
export interface PackedValues {
  bytes: Uint8Array<ArrayBuffer>;
  /** Start of value i; `ends[i] < 0` marks a null value. */
  starts: Int32Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
}

export function packValues(values: readonly (Uint8Array | null)[]): PackedValues {
  let size = 0;
  for (const v of values) if (v) size += v.length;
  const bytes = new Uint8Array(size);
  const starts = new Int32Array(values.length);
  const ends = new Int32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    starts[i] = at;
    if (!v) {
      ends[i] = -1;
      return;
    }
    bytes.set(v, at);
    at += v.length;
    ends[i] = at;
  });
  return { bytes, starts, ends };
}

/**
 * Every value of a batch, parsed and validated, in columns: for good messages the index
 * of their streamer and emote in the string tables and their timestamp; for bad ones the
 * reason. Columns of numbers cross threads without copying.
 */
export interface ParsedBatch {
  good: Uint8Array<ArrayBuffer>;
  streamer: Int32Array<ArrayBuffer>;
  emote: Int32Array<ArrayBuffer>;
  timestampMs: Float64Array<ArrayBuffer>;
  streamers: string[];
  emotes: string[];
  /** Why each bad message is refused, by index. */
  reasons: Record<number, Refusal>;
}

/** `window` bounds the timestamps: one window per batch, taken when it is parsed. */
export function parseBatch(packed: PackedValues, window: TimestampWindow): ParsedBatch {
  const n = packed.starts.length;
  const out: ParsedBatch = {
    good: new Uint8Array(n),
    streamer: new Int32Array(n),
    emote: new Int32Array(n),
    timestampMs: new Float64Array(n),
    streamers: [],
    emotes: [],
    reasons: {},
  };
  const streamerIndex = new Map<string, number>();
  const emoteIndex = new Map<string, number>();
  const intern = (table: string[], index: Map<string, number>, s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = table.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  const view = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  for (let i = 0; i < n; i++) {
    const end = packed.ends[i] as number;
    const result = parseRawEmote(end < 0 ? null : view.subarray(packed.starts[i], end), window);
    if (!result.ok) {
      out.reasons[i] = { reason: result.reason, detail: result.detail };
      continue;
    }
    const e = result.value;
    out.good[i] = 1;
    out.streamer[i] = intern(out.streamers, streamerIndex, e.streamerId);
    out.emote[i] = intern(out.emotes, emoteIndex, e.emote);
    out.timestampMs[i] = e.timestampMs;
  }
  return out;
}

/** Where batches are parsed: on this thread, or on a parse thread (parse-thread.ts). */
export interface BatchParser {
  parse(values: readonly (Uint8Array | null)[], window: TimestampWindow): Promise<ParsedBatch>;
  close(): Promise<void>;
}

export const inlineParser: BatchParser = {
  parse: async (values, window) => parseBatch(packValues(values), window),
  close: async () => undefined,
};
