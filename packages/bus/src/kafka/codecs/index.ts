import { promisify } from "node:util";
import { gzip, unzip } from "node:zlib";
import kafkajs from "kafkajs";
import { decompressLz4Frames } from "./lz4-frame.ts";
import { decompressSnappy } from "./snappy-xerial.ts";
import { decompressZstd } from "./zstd.ts";

/**
 * Most bytes one record batch may decompress to. A fetch brings at most 4 MiB per partition
 * (compressed); this bounds what a compression bomb costs, far above any real batch
 * (the Java client's batches are 16 KiB by default, the broker's limit 1 MiB compressed).
 */
export const MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

/** A compressed record batch that does not decode: corrupt, truncated, or too large. */
export class CorruptBatchError extends Error {
  override name = "CorruptBatchError";
  /**
   * Read by kafkajs: the same fetch would fail again, so its retries and its restart of the
   * consumer would only loop on this batch. The consumer stops for good instead.
   */
  readonly retriable = false;
}

interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

async function decompressWith(
  name: string,
  decode: (src: Buffer, limit: number) => Uint8Array | Promise<Uint8Array>,
  buffer: Buffer,
): Promise<Buffer> {
  try {
    const data = await decode(buffer, MAX_DECOMPRESSED_BATCH_BYTES);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CorruptBatchError(`a ${name} record batch could not be decompressed: ${reason}`, {
      cause: err,
    });
  }
}

function readOnlyCodec(name: string, decode: (src: Buffer, limit: number) => Uint8Array): KafkajsCodec {
  return {
    compress() {
      // Our producers write uncompressed batches (or gzip); these codecs are for reading.
      return Promise.reject(new Error(`${name} compression is read-only here: produce with none or gzip`));
    },
    decompress: (buffer) => decompressWith(name, decode, buffer),
  };
}

const gunzip = promisify(unzip);

async function gunzipWithin(src: Buffer, limit: number): Promise<Buffer> {
  try {
    return await gunzip(src, { maxOutputLength: limit });
  } catch (err) {
    // zlib's own words for it name Buffer, not the data.
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new Error(`the gzip data exceeds ${limit} bytes`, { cause: err });
    }
    throw err;
  }
}

/** kafkajs's own gzip, its output bounded like the others'. */
const gzipCodec: KafkajsCodec = {
  compress: (encoder) => promisify(gzip)(encoder.buffer),
  decompress: (buffer) => decompressWith("gzip", gunzipWithin, buffer),
};

const CODECS = {
  [kafkajs.CompressionTypes.GZIP]: gzipCodec,
  [kafkajs.CompressionTypes.LZ4]: readOnlyCodec("lz4", decompressLz4Frames),
  [kafkajs.CompressionTypes.Snappy]: readOnlyCodec("snappy", decompressSnappy),
  [kafkajs.CompressionTypes.ZSTD]: readOnlyCodec("zstd", decompressZstd),
};

/**
 * Makes every kafkajs client in this process read lz4, snappy and zstd batches. kafkajs's codec registry is global and throws "not implemented" by default;
 * registering again is harmless. gzip is replaced by the same codec with a bounded output.
 */
export function registerKafkaCodecs(): void {
  for (const [type, codec] of Object.entries(CODECS)) {
    kafkajs.CompressionCodecs[Number(type) as keyof typeof kafkajs.CompressionCodecs] = () => codec;
  }
}
