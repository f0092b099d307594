import { uncompress } from "snappyjs";

/** snappy-java's stream header: 0x82 "SNAPPY" 0x00, then two int32 versions. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

/**
 * The data of a Kafka snappy batch, at most `limit` bytes: the Java client writes
 * snappy-java's framing (xerial: a header, then length-prefixed raw snappy chunks); some
 * other clients write one raw snappy block.
 */
export function decompressSnappy(src: Buffer, limit: number): Buffer {
  if (src.length < XERIAL_HEADER_BYTES || !src.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return uncompressWithin(src, limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < src.length) {
    if (at + 4 > src.length) throw new Error("the snappy stream is truncated");
    const size = src.readUInt32BE(at);
    at += 4;
    if (at + size > src.length) throw new Error("the snappy stream is truncated");
    const chunk = uncompressWithin(src.subarray(at, at + size), limit - total);
    at += size;
    total += chunk.length;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function uncompressWithin(block: Buffer, limit: number): Buffer {
  try {
    return uncompress(block, limit);
  } catch (err) {
    // snappyjs says only "Invalid data" or the length check's message; both are corrupt data here.
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`invalid snappy data (${reason})`, { cause: err });
  }
}
