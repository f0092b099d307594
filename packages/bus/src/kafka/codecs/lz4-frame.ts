import { decompressBlock } from "lz4js";

const FRAME_MAGIC = 0x184d2204;
/** Skippable frames carry metadata, not data: 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
const UNCOMPRESSED_BIT = 0x80000000;

interface Block {
  start: number;
  size: number;
  compressed: boolean;
  maxOut: number;
}

class Reader {
  at = 0;
  constructor(readonly src: Uint8Array) {}
  u8(): number {
    return this.need(1)[0] as number;
  }
  u32(): number {
    const b = this.need(4);
    return (
      ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16)) + (b[3] as number) * 2 ** 24
    );
  }
  skip(n: number): number {
    const start = this.at;
    this.need(n);
    return start;
  }
  private need(n: number): Uint8Array {
    if (this.at + n > this.src.length) throw new Error("the LZ4 frame is truncated");
    const b = this.src.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
}

/**
 * Every block of the concatenated LZ4 frames in `src`, bounds-checked: lz4js's own frame
 * reader loops forever on a truncated frame, so it is used for blocks only.
 */
function blocks(src: Uint8Array): Block[] {
  const r = new Reader(src);
  const found: Block[] = [];
  while (r.at < src.length) {
    const magic = r.u32();
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      r.skip(r.u32());
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Error("not an LZ4 frame (bad magic number)");
    const flags = r.u8();
    if (flags >> 6 !== 1) throw new Error(`unsupported LZ4 frame version ${flags >> 6}`);
    const blockChecksums = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const maxOut = BLOCK_MAX_SIZES[(r.u8() >> 4) & 0x07];
    if (maxOut === undefined) throw new Error("invalid LZ4 block size in the frame descriptor");
    if (contentSize) r.skip(8);
    r.skip(1); // header checksum (Kafka's old message format wrote it wrongly; not checked)
    for (;;) {
      const word = r.u32();
      if (word === 0) break;
      const size = word >= UNCOMPRESSED_BIT ? word - UNCOMPRESSED_BIT : word;
      if (size > maxOut) throw new Error("an LZ4 block is larger than the frame allows");
      found.push({ start: r.skip(size), size, compressed: word < UNCOMPRESSED_BIT, maxOut });
      if (blockChecksums) r.skip(4);
    }
    if (contentChecksum) r.skip(4);
  }
  return found;
}

/**
 * The data of LZ4 frames (the format Kafka's lz4 batches use), at most `limit` bytes.
 * Blocks are decoded into one buffer, so frames whose blocks depend on earlier ones work too.
 */
export function decompressLz4Frames(src: Uint8Array, limit: number): Uint8Array {
  const found = blocks(src);
  const bound = found.reduce((n, b) => n + (b.compressed ? b.maxOut : b.size), 0);
  const out = new Uint8Array(Math.min(bound, limit));
  let end = 0;
  for (const b of found) {
    if (!b.compressed) {
      if (end + b.size > out.length) throw new Error(`the LZ4 data exceeds ${limit} bytes`);
      out.set(src.subarray(b.start, b.start + b.size), end);
      end += b.size;
      continue;
    }
    const next = decompressBlock(src, out, b.start, b.size, end);
    // lz4js drops writes past the buffer's end: an end beyond it means data was cut off.
    if (next > out.length) throw new Error(`the LZ4 data exceeds ${limit} bytes`);
    if (next - end > b.maxOut) throw new Error("an LZ4 block decodes to more than the frame allows");
    end = next;
  }
  return out.subarray(0, end);
}
