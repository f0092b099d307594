/**
 * `sec` modulo `size`, never negative: the slot of a second in a ring of `size` seconds.
 * Seconds since the epoch are beyond V8's small integers, where `%` is a floating-point
 * remainder (a call into C); this is the same number for every whole second without it.
 */
export function ringSlot(sec: number, size: number): number {
  return sec - Math.floor(sec / size) * size;
}
