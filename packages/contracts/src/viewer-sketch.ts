import { z } from "zod";

/**
 * A HyperLogLog sketch of distinct viewers: 2^12 registers, so the estimate's standard
 * error is 1.04 / √4096 ≈ 1.6 %; below 2.5 · 4096 = 10,240 viewers it is the
 * linear-counting estimate (collisions only: about 0.1 % off at 100 viewers). The union
 * of two sketches (the larger register of each pair) is the sketch of the union of their
 * viewers: idempotent, commutative and associative, so sketches may be re-sent, replayed
 * and merged in any order and grouping.
 *
 * Viewers are 32-bit hashes (mixed again here, so any decent 32-bit hash will do): 12
 * bits choose the register, the other 20 give the rank (1–21). Fine up to ~10^8 viewers.
 */
export const VIEWER_SKETCH_PRECISION = 12;
const REGISTERS = 1 << VIEWER_SKETCH_PRECISION;
const MAX_RANK = 32 - VIEWER_SKETCH_PRECISION + 1;
/** Dense form: every register in 6 bits. */
const DENSE_BYTES = (REGISTERS * 6) / 8;
/** Sparse form: 3 bytes a set register (index, 2 bytes big-endian; rank, 1 byte). */
const SPARSE_ENTRY_BYTES = 3;
/** Encoded sparse while that is no longer than dense: up to 1,024 set registers. */
const SPARSE_ENCODED_MAX = DENSE_BYTES / SPARSE_ENTRY_BYTES;
/** In memory a Map until it would outweigh the 4 KiB register array. */
const SPARSE_MEMORY_MAX = 128;
/** Longest encoding: the tag and the dense bytes in base64url. */
export const VIEWER_SKETCH_MAX_CHARS = 1 + Math.ceil((DENSE_BYTES * 4) / 3);

const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);
const TWO_32 = 2 ** 32;

export class ViewerSketchError extends Error {}

/** A mergeable distinct count of viewers (see VIEWER_SKETCH_PRECISION for its bound). */
export class ViewerSketch {
  private sparse: Map<number, number> | undefined = new Map();
  private dense: Uint8Array | undefined;

  /** Adds a viewer by its 32-bit hash; true if a register rose (the sketch changed). */
  addHash(hash32: number): boolean {
    const h = mix32(hash32);
    const index = h >>> (32 - VIEWER_SKETCH_PRECISION);
    const rest = (h << VIEWER_SKETCH_PRECISION) >>> 0;
    const rank = rest === 0 ? MAX_RANK : Math.clz32(rest) + 1;
    return this.raise(index, rank);
  }

  /** Makes this the union of itself and `other`; true if a register rose. */
  union(other: ViewerSketch): boolean {
    let rose = false;
    other.forEach((index, rank) => {
      rose = this.raise(index, rank) || rose;
    });
    return rose;
  }

  /** Registers set (0: no viewer). */
  get size(): number {
    if (this.sparse) return this.sparse.size;
    let n = 0;
    for (const r of this.dense ?? []) if (r > 0) n++;
    return n;
  }

  /** Estimated distinct viewers, rounded. */
  estimate(): number {
    let zeros = REGISTERS;
    let sum = 0;
    this.forEach((_, rank) => {
      zeros--;
      sum += 2 ** -rank;
    });
    sum += zeros;
    let e = (ALPHA * REGISTERS * REGISTERS) / sum;
    if (e <= 2.5 * REGISTERS && zeros > 0) e = REGISTERS * Math.log(REGISTERS / zeros);
    else if (e > TWO_32 / 30) e = -TWO_32 * Math.log(1 - e / TWO_32);
    return Math.round(e);
  }

  /** "s" + base64url of the set registers (sparse), or "d" + base64url of all of them in 6 bits. */
  encode(): string {
    const n = this.size;
    if (n <= SPARSE_ENCODED_MAX) {
      const bytes = new Uint8Array(n * SPARSE_ENTRY_BYTES);
      const entries: [number, number][] = [];
      this.forEach((index, rank) => entries.push([index, rank]));
      entries.sort((a, b) => a[0] - b[0]);
      entries.forEach(([index, rank], i) => {
        bytes[i * 3] = index >>> 8;
        bytes[i * 3 + 1] = index & 0xff;
        bytes[i * 3 + 2] = rank;
      });
      return "s" + toBase64Url(bytes);
    }
    const bytes = new Uint8Array(DENSE_BYTES);
    this.forEach((index, rank) => writeSixBits(bytes, index, rank));
    return "d" + toBase64Url(bytes);
  }

  /** The sketch an `encode()` made; anything else throws ViewerSketchError saying what is wrong. */
  static decode(text: string): ViewerSketch {
    const sketch = new ViewerSketch();
    read(text, (index, rank) => sketch.raise(index, rank));
    return sketch;
  }

  /** Throws ViewerSketchError, saying what is wrong, unless `text` is an `encode()`. */
  static check(text: string): void {
    read(text, () => false);
  }

  /** `union(decode(text))` without the intermediate sketch; true if a register rose. */
  unionEncoded(text: string): boolean {
    let rose = false;
    read(text, (index, rank) => {
      rose = this.raise(index, rank) || rose;
      return rose;
    });
    return rose;
  }

  private forEach(f: (index: number, rank: number) => void): void {
    if (this.sparse) {
      for (const [index, rank] of this.sparse) f(index, rank);
      return;
    }
    const dense = this.dense ?? new Uint8Array();
    for (let index = 0; index < dense.length; index++) {
      const rank = dense[index] ?? 0;
      if (rank > 0) f(index, rank);
    }
  }

  private raise(index: number, rank: number): boolean {
    if (this.sparse) {
      if ((this.sparse.get(index) ?? 0) >= rank) return false;
      this.sparse.set(index, rank);
      if (this.sparse.size > SPARSE_MEMORY_MAX) {
        const dense = new Uint8Array(REGISTERS);
        for (const [i, r] of this.sparse) dense[i] = r;
        this.dense = dense;
        this.sparse = undefined;
      }
      return true;
    }
    const dense = this.dense as Uint8Array;
    if ((dense[index] ?? 0) >= rank) return false;
    dense[index] = rank;
    return true;
  }
}

/** Reads an encoded sketch's set registers into `set`, checking every byte. */
function read(text: string, set: (index: number, rank: number) => boolean): void {
  if (text.length > VIEWER_SKETCH_MAX_CHARS)
    throw new ViewerSketchError(`a viewer sketch is at most ${VIEWER_SKETCH_MAX_CHARS} characters`);
  const bytes = fromBase64Url(text.slice(1));
  if (text[0] === "s") {
    if (bytes.length % SPARSE_ENTRY_BYTES !== 0)
      throw new ViewerSketchError("a sparse viewer sketch is not a whole number of entries");
    let previous = -1;
    for (let i = 0; i < bytes.length; i += SPARSE_ENTRY_BYTES) {
      const index = ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
      const rank = bytes[i + 2] ?? 0;
      if (index >= REGISTERS || index <= previous)
        throw new ViewerSketchError("a sparse viewer sketch's registers are not increasing below 4096");
      checkRank(rank);
      if (rank === 0) throw new ViewerSketchError("a sparse viewer sketch lists an empty register");
      set(index, rank);
      previous = index;
    }
    return;
  }
  if (text[0] === "d") {
    if (bytes.length !== DENSE_BYTES)
      throw new ViewerSketchError(`a dense viewer sketch has ${DENSE_BYTES} bytes, not ${bytes.length}`);
    for (let index = 0; index < REGISTERS; index++) {
      const rank = readSixBits(bytes, index);
      checkRank(rank);
      if (rank > 0) set(index, rank);
    }
    return;
  }
  throw new ViewerSketchError('a viewer sketch starts with "s" (sparse) or "d" (dense)');
}

/** A viewer sketch as text on the bus (what `ViewerSketch.encode` writes), checked to decode. */
export const viewerSketchSchema = z
  .string()
  .max(VIEWER_SKETCH_MAX_CHARS)
  .superRefine((text, ctx) => {
    try {
      ViewerSketch.check(text);
    } catch (err) {
      if (!(err instanceof ViewerSketchError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message });
    }
  });

// btoa/atob rather than Buffer: the dashboard imports the contracts too.
function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new ViewerSketchError("a viewer sketch is not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function checkRank(rank: number): void {
  if (rank > MAX_RANK) throw new ViewerSketchError(`a viewer sketch's register is above ${MAX_RANK}`);
}

/** murmur3's finaliser: spreads a weak hash's bits over all 32. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function writeSixBits(bytes: Uint8Array, index: number, value: number): void {
  const bit = index * 6;
  for (let b = 0; b < 6; b++) {
    if ((value >> (5 - b)) & 1) {
      const at = bit + b;
      bytes[at >> 3] = (bytes[at >> 3] ?? 0) | (0x80 >> (at & 7));
    }
  }
}

function readSixBits(bytes: Uint8Array, index: number): number {
  const bit = index * 6;
  let value = 0;
  for (let b = 0; b < 6; b++) {
    const at = bit + b;
    value = (value << 1) | (((bytes[at >> 3] ?? 0) >> (7 - (at & 7))) & 1);
  }
  return value;
}
