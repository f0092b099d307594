import { Decompress } from "fzstd";

/** The data of zstd frames (Kafka's zstd batches), at most `limit` bytes, decoded block by block. */
export function decompressZstd(src: Uint8Array, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    // Thrown from within push(): a bomb stops at the limit, not at the end of memory.
    if (total > limit) throw new Error(`the zstd data exceeds ${limit} bytes`);
    chunks.push(chunk);
  });
  stream.push(src, true);
  return Buffer.concat(chunks, total);
}
