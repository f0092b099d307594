import { gzipSync } from "node:zlib";
import fc from "fast-check";
import kafkajs from "kafkajs";
import { compress as snappyCompress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { CorruptBatchError, MAX_DECOMPRESSED_BATCH_BYTES, registerKafkaCodecs } from "./index.ts";
import { decompressLz4Frames } from "./lz4-frame.ts";
import { decompressSnappy } from "./snappy-xerial.ts";
import { decompressZstd } from "./zstd.ts";

// 112,000 bytes of JSON lines, compressed by the lz4 and zstd command-line tools:
// 64 KiB blocks (two), linked or independent, with or without content size and checksums.
const DATA = Buffer.from(Array.from({ length: 8000 }, (_, i) => `{"emote":"${i % 7}"}\n`).join(""));
const LZ4_LINKED = Buffer.from(
  "BCJNGERAXjMBAADmeyJlbW90ZSI6IjAifQoOABkxDgAZMg4AGTMOABk0DgAZNQ4AGTYOAA9iAP////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////98UCJ9CnsiwwAAAAT+/w+4////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////FlAiNSJ9CgAAAACgps6O",
  "base64",
);
const LZ4_INDEPENDENT_WITH_SIZE = Buffer.from(
  "BCJNGHxAgLUBAAAAAACsMwEAAOZ7ImVtb3RlIjoiMCJ9Cg4AGTEOABkyDgAZMw4AGTQOABk1DgAZNg4AD2IA/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////3xQIn0KeyJ2fA/F6AAAAORlbW90ZSI6IjUifQp7Ig4AGTYOABkwDgAZMQ4AGTIOABkzDgAZNA4AD2IA/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////7NQIjUifQqZLvo6AAAAAKCmzo4=",
  "base64",
);
// Two frames, one without a content size (as a stream writes it), one with.
const ZSTD_TWO_FRAMES = Buffer.from(
  "KLUv/QRoVQEAoHsiZW1vdGUiOiIwIn0KMTIzNDU2CCCQY+Nb2lIHwB3skMcdLEeIzSoBwBbeoii1L/1kwNlVAQCgeyJlbW90ZSI6IjMifQo0NTYwMTIIIJBj41vaUgfAHeyQxx0sR4jNKgGnvwjD",
  "base64",
);

/** snappy-java's framing, as the Java client writes a snappy batch. */
function xerial(data: Buffer, chunk: number): Buffer {
  const parts = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1])];
  for (let at = 0; at < data.length; at += chunk) {
    const block = Buffer.from(snappyCompress(data.subarray(at, at + chunk)));
    const size = Buffer.alloc(4);
    size.writeUInt32BE(block.length);
    parts.push(size, block);
  }
  return Buffer.concat(parts);
}

const codec = (type: kafkajs.CompressionTypes) => {
  registerKafkaCodecs();
  return (
    kafkajs.CompressionCodecs[type as keyof typeof kafkajs.CompressionCodecs] as () => {
      compress(e: { buffer: Buffer }): Promise<Buffer>;
      decompress(b: Buffer): Promise<Buffer>;
    }
  )();
};

describe("decompressLz4Frames", () => {
  it("decodes frames with linked and independent blocks, content size and checksums", () => {
    expect(Buffer.from(decompressLz4Frames(LZ4_LINKED, 1 << 20))).toEqual(DATA);
    expect(Buffer.from(decompressLz4Frames(LZ4_INDEPENDENT_WITH_SIZE, 1 << 20))).toEqual(DATA);
    expect(Buffer.from(decompressLz4Frames(Buffer.concat([LZ4_LINKED, LZ4_LINKED]), 1 << 20))).toEqual(
      Buffer.concat([DATA, DATA]),
    );
  });

  it("refuses output beyond the limit", () => {
    expect(() => decompressLz4Frames(LZ4_LINKED, 100_000)).toThrow("the LZ4 data exceeds 100000 bytes");
  });

  it("throws on every truncation, never loops", () => {
    for (let n = 0; n < LZ4_LINKED.length; n++) {
      if (n === 0) continue;
      expect(() => decompressLz4Frames(LZ4_LINKED.subarray(0, n), 1 << 20)).toThrow();
    }
    expect(() => decompressLz4Frames(Buffer.from("not lz4 at all"), 1 << 20)).toThrow(
      "not an LZ4 frame (bad magic number)",
    );
  });
});

describe("decompressSnappy", () => {
  it("decodes snappy-java's framing and a raw snappy block", () => {
    expect(decompressSnappy(xerial(DATA, 32 * 1024), 1 << 20)).toEqual(DATA);
    expect(decompressSnappy(Buffer.from(snappyCompress(DATA)), 1 << 20)).toEqual(DATA);
  });

  it("refuses output beyond the limit, and truncated or corrupt streams", () => {
    expect(() => decompressSnappy(xerial(DATA, 32 * 1024), 100_000)).toThrow(/invalid snappy data/);
    const framed = xerial(DATA, 32 * 1024);
    expect(() => decompressSnappy(framed.subarray(0, framed.length - 3), 1 << 20)).toThrow(
      "the snappy stream is truncated",
    );
    expect(() => decompressSnappy(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]), 1 << 20)).toThrow(
      /invalid snappy data/,
    );
  });
});

describe("decompressZstd", () => {
  it("decodes concatenated frames, with and without a content size", () => {
    expect(Buffer.from(decompressZstd(ZSTD_TWO_FRAMES, 1 << 20))).toEqual(DATA);
  });

  it("refuses output beyond the limit, and truncated data", () => {
    expect(() => decompressZstd(ZSTD_TWO_FRAMES, 60_000)).toThrow("the zstd data exceeds 60000 bytes");
    expect(() => decompressZstd(ZSTD_TWO_FRAMES.subarray(0, 30), 1 << 20)).toThrow();
  });
});

describe("the codecs registered with kafkajs", () => {
  const compressed = {
    [kafkajs.CompressionTypes.GZIP]: gzipSync(DATA),
    [kafkajs.CompressionTypes.LZ4]: LZ4_INDEPENDENT_WITH_SIZE,
    [kafkajs.CompressionTypes.Snappy]: xerial(DATA, 32 * 1024),
    [kafkajs.CompressionTypes.ZSTD]: ZSTD_TWO_FRAMES,
  };

  it("decompress every codec Kafka has", async () => {
    for (const [type, data] of Object.entries(compressed)) {
      expect(await codec(Number(type)).decompress(data)).toEqual(DATA);
    }
  });

  it("reject corrupt data with one clear error naming the codec", async () => {
    const names = { 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd" };
    for (const [type, name] of Object.entries(names)) {
      const err: unknown = await codec(Number(type))
        .decompress(Buffer.from("\x00\x01garbage"))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptBatchError);
      expect((err as Error).message).toMatch(
        new RegExp(`^a ${name} record batch could not be decompressed: .+`),
      );
    }
  });

  it("bound gzip's output too", async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_DECOMPRESSED_BATCH_BYTES + 1));
    await expect(codec(kafkajs.CompressionTypes.GZIP).decompress(bomb)).rejects.toThrow(
      new CorruptBatchError(
        `a gzip record batch could not be decompressed: the gzip data exceeds ${MAX_DECOMPRESSED_BATCH_BYTES} bytes`,
      ),
    );
  });

  it("produce gzip, and refuse to produce the read-only codecs with a clear error", async () => {
    const gz = await codec(kafkajs.CompressionTypes.GZIP).compress({ buffer: DATA });
    expect(await codec(kafkajs.CompressionTypes.GZIP).decompress(gz)).toEqual(DATA);
    await expect(codec(kafkajs.CompressionTypes.LZ4).compress({ buffer: DATA })).rejects.toThrow(
      "lz4 compression is read-only here: produce with none or gzip",
    );
  });

  it("never hang or crash on mutated input: data or a CorruptBatchError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.entries(compressed)),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async ([type, data], edits) => {
          const mutated = Buffer.from(data);
          for (const [at, byte] of edits) mutated[at % mutated.length] = byte;
          const out = await codec(Number(type))
            .decompress(mutated)
            .catch((e: unknown) => e);
          if (!Buffer.isBuffer(out)) expect(out).toBeInstanceOf(CorruptBatchError);
        },
      ),
      { numRuns: 100 },
    );
  });
});
