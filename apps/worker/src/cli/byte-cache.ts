/** Values cached by the bytes they were read from: a line's fields become strings once per distinct value. */
const CACHE_MAX = 4_096;

/** Values by their bytes: a hash, then a comparison; cleared when full (hostile input cannot grow it). */
export class ByteCache<T> {
  private readonly entries = new Map<number, { bytes: Uint8Array; value: T }[]>();
  private size = 0;

  get(buf: Uint8Array, from: number, to: number, hash: number): T | undefined {
    const list = this.entries.get(hash);
    if (!list) return undefined;
    for (const entry of list) if (sameBytes(entry.bytes, buf, from, to)) return entry.value;
    return undefined;
  }

  set(buf: Uint8Array, from: number, to: number, hash: number, value: T): void {
    if (this.size >= CACHE_MAX) {
      this.entries.clear();
      this.size = 0;
    }
    const entry = { bytes: copyOf(buf, from, to), value };
    const list = this.entries.get(hash);
    if (list) list.push(entry);
    else this.entries.set(hash, [entry]);
    this.size++;
  }
}

/** A copy (a Buffer's `slice` is a view, which would pin the chunk and see it change). */
export function copyOf(buf: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(buf.subarray(from, to));
}

/** Whether `buf[from, to)` holds exactly the bytes `a`. */
export function sameBytes(a: Uint8Array, buf: Uint8Array, from: number, to: number): boolean {
  if (a.length !== to - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[from + i]) return false;
  return true;
}

/** Whether `buf` holds the bytes `key` from `at` on. */
export function startsWith(buf: Uint8Array, at: number, key: Uint8Array): boolean {
  if (at + key.length > buf.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}

/** FNV-1a, cut to 30 bits: a small integer, which a Map hashes without allocating. */
export function hashBytes(buf: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (buf[i] ?? 0), 0x01000193);
  return h & 0x3fffffff;
}

export function utf8(buf: Uint8Array, from: number, to: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString("utf8");
}

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * The text of a JSON string value's bytes (`escaped`: they hold escapes, decoded as JSON
 * does); undefined if they are not valid JSON string text.
 */
export function textOf(buf: Uint8Array, from: number, to: number, escaped: boolean): string | undefined {
  const raw = utf8(buf, from, to);
  if (!escaped) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * The text of a field's bytes if `accepts` takes it, through `cache` (keyed by the raw bytes,
 * so a repeated value costs a hash and a comparison); undefined if refused.
 */
export function acceptedText(
  cache: ByteCache<string | null>,
  buf: Uint8Array,
  from: number,
  to: number,
  accepts: (text: string) => boolean,
  escaped = false,
): string | undefined {
  const hash = hashBytes(buf, from, to);
  let value = cache.get(buf, from, to, hash);
  if (value === undefined) {
    const text = textOf(buf, from, to, escaped);
    value = text !== undefined && accepts(text) ? text : null;
    cache.set(buf, from, to, hash, value);
  }
  return value ?? undefined;
}
