/**
 * Space-Saving top-K counts (Metwally et al.): at most `capacity` keys are held. While no
 * more than `capacity` distinct keys were ever added the counts are exact. Beyond, a new
 * key takes the place of the smallest one and inherits its count as its possible
 * overestimate (`error`): every held count is at most `error` ≤ N / capacity above the
 * true one (N: the sum of increments), and every key whose true count exceeds N / capacity
 * is held.
 *
 * Decrements (a replayed snapshot lowering a count) apply to held keys only, floored at
 * 0; the bound is stated for increments.
 */
export interface SpaceSavingEntry {
  count: number;
  error: number;
}

export type SpaceSavingJson = [key: string, count: number, error: number][];

export class SpaceSaving {
  private readonly entries = new Map<string, SpaceSavingEntry>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a whole number ≥ 1");
  }

  static fromJSON(capacity: number, json: SpaceSavingJson): SpaceSaving {
    const s = new SpaceSaving(capacity);
    for (const [key, count, error] of json.slice(0, capacity)) s.entries.set(key, { count, error });
    return s;
  }

  toJSON(): SpaceSavingJson {
    return [...this.entries].map(([k, e]) => [k, e.count, e.error]);
  }

  get size(): number {
    return this.entries.size;
  }

  add(key: string, delta: number): void {
    if (delta === 0) return;
    const held = this.entries.get(key);
    if (held) {
      held.count = Math.max(0, held.count + delta);
      return;
    }
    if (delta < 0) return;
    if (this.entries.size < this.capacity) {
      this.entries.set(key, { count: delta, error: 0 });
      return;
    }
    const [minKey, min] = this.smallest();
    this.entries.delete(minKey);
    this.entries.set(key, { count: min.count + delta, error: min.count });
  }

  get(key: string): SpaceSavingEntry | undefined {
    return this.entries.get(key);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** The largest overestimate of any held count (0: exact). */
  maxError(): number {
    let max = 0;
    for (const e of this.entries.values()) max = Math.max(max, e.error);
    return max;
  }

  /** Linear: only called on an eviction, i.e. past `capacity` distinct keys. */
  private smallest(): [string, SpaceSavingEntry] {
    let best: [string, SpaceSavingEntry] | undefined;
    for (const kv of this.entries) if (!best || kv[1].count < best[1].count) best = kv;
    if (!best) throw new Error("smallest of an empty summary");
    return best;
  }
}
