import { Partitioners, type ICustomPartitioner } from "kafkajs";

/** Keys whose hash is remembered at most (a gateway sees a streamer's key again and again). */
const KNOWN_KEYS_MAX = 10_000;

/**
 * Kafka's murmur2 of `data` (the Java client's `Utils.murmur2`), in 32-bit arithmetic:
 * kafkajs computes the same with a 64-bit Long per step, several allocations per byte group.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The last one to three bytes, as the Java client's switch falls through them.
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) h = Math.imul(h ^ (data[whole] as number), m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's DefaultPartitioner (the Java client's assignment: a keyed record goes to
 * murmur2(key) & 0x7fffffff modulo the partition count), with each string key's hash
 * remembered: the gateway produces thousands of records a second under a few streamer
 * keys. Records with a partition or without a key are left to kafkajs's own.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  const known = new Map<string, number>();
  return (args) => {
    const { key, partition } = args.message;
    if (typeof key !== "string" || (partition !== undefined && partition !== null)) return fallback(args);
    let hash = known.get(key);
    if (hash === undefined) {
      hash = murmur2(Buffer.from(key)) & 0x7fffffff;
      if (known.size >= KNOWN_KEYS_MAX) known.clear();
      known.set(key, hash);
    }
    return hash % args.partitionMetadata.length;
  };
};
