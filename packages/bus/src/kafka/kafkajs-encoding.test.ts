import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// kafkajs's own protocol modules, as its producer and consumer use them: the patch
// (tooling/patches) rewrote how its encoder writes varints and buffers, so what the
// producer encodes must still decode to the same records, with a valid CRC.
const require = createRequire(import.meta.url);
interface Encoded {
  buffer: Buffer;
}
type ProduceRequest = (args: {
  acks: number;
  timeout: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: Message[] }[];
  }[];
}) => { encode(): Promise<Encoded> };
interface Message {
  key: string | null;
  value: string | null;
  timestamp?: string;
  headers: Record<string, string>;
}
interface DecodedRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers: Record<string, Buffer>;
}
type DecoderClass = new (buffer: Buffer) => unknown;
const produceRequest = require("kafkajs/src/protocol/requests/produce/v3/request.js") as ProduceRequest;
const Decoder = require("kafkajs/src/protocol/decoder.js") as DecoderClass;
const decodeBatch = require("kafkajs/src/protocol/recordBatch/v0/decoder.js") as (
  d: unknown,
) => Promise<{ records: DecodedRecord[]; firstTimestamp: string }>;
const crc32C = require("kafkajs/src/protocol/recordBatch/crc32C/index.js") as (b: Buffer) => number;

/** The record batch of the request's only topic and partition (transactional id null). */
function recordBatchOf(request: Buffer, topic: string): Buffer {
  let at = 2 + 2 + 4 + 4; // null transactional id, acks, timeout, topic count
  at += 2 + Buffer.byteLength(topic) + 4 + 4; // topic name, partition count, partition
  const size = request.readInt32BE(at);
  return request.subarray(at + 4, at + 4 + size);
}

const NOW = 1_796_280_000_000;
const message = fc.record({
  key: fc.option(fc.string({ unit: "grapheme", maxLength: 40 }), { nil: null }),
  value: fc.option(fc.string({ unit: "grapheme", maxLength: 600 }), { nil: null }),
  // Deltas past the int32 range take the encoder's 64-bit path; some before `now`, some after.
  timestamp: fc.option(fc.integer({ min: NOW - 4e9, max: NOW + 4e9 }).map(String), { nil: undefined }),
  headers: fc.dictionary(
    // kafkajs's decoder folds headers into a plain object: "valueOf" would meet Object.prototype's.
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in Object.prototype)),
    fc.string({ unit: "grapheme", maxLength: 60 }),
    {
      maxKeys: 3,
    },
  ),
});

describe("kafkajs's produce encoding (patched)", () => {
  it("decodes to the records given, offsets in order, with the CRC over the batch", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 40 }), async (messages) => {
        const request = await produceRequest({
          acks: -1,
          timeout: 30_000,
          topicData: [{ topic: "t", partitions: [{ partition: 0, firstSequence: 0, messages }] }],
        }).encode();
        const batch = recordBatchOf(request.buffer, "t");
        // firstOffset, length, leader epoch, magic; then the CRC of everything after it.
        expect(batch.readUInt32BE(17) >>> 0).toBe(crc32C(batch.subarray(21)) >>> 0);
        const { records } = await decodeBatch(new Decoder(batch));
        expect(records.map((r) => r.offset)).toEqual(messages.map((_, i) => String(i)));
        for (const [i, m] of messages.entries()) {
          const r = records[i] as DecodedRecord;
          expect(r.key === null ? null : r.key.toString()).toBe(m.key);
          expect(r.value === null ? null : r.value.toString()).toBe(m.value);
          if (m.timestamp !== undefined) expect(r.timestamp).toBe(m.timestamp);
          expect(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))).toEqual(
            m.headers,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
