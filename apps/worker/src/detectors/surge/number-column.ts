/**
 * Numbers of the committed detector state as one base64 string of little-endian float64s.
 * Every double comes back bit for bit, as replays need, and writing one costs a store
 * rather than JSON's decimal conversion: the state's seconds, viewer hashes and rates were
 * most of the worker's JSON time per batch (decision 009, memory and state).
 */
export class NumberColumn {
  private readonly bytes: Buffer;
  private readonly view: DataView;
  private length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity * 8);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  push(value: number): void {
    this.view.setFloat64(this.length * 8, value, true);
    this.length++;
  }

  pushAll(values: readonly number[]): void {
    for (const v of values) this.push(v);
  }

  toBase64(): string {
    return this.bytes.toString("base64", 0, this.length * 8);
  }
}

/**
 * A column back to its numbers; throws unless it holds whole float64s, every one finite,
 * `count` of them (or a multiple of `multipleOf`, at most `max`). The text is validated as
 * base64 beforehand (the state's schema): Node's decoder skips what is not.
 */
export function readNumberColumn(
  text: string,
  size: { count: number } | { multipleOf: number; max: number },
): number[] {
  const bytes = Buffer.from(text, "base64");
  const n = bytes.length / 8;
  const fits =
    Number.isInteger(n) && ("count" in size ? n === size.count : n % size.multipleOf === 0 && n <= size.max);
  if (!fits)
    throw new Error(
      `a number column of ${bytes.length} bytes where ${JSON.stringify(size)} numbers were due`,
    );
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = bytes.readDoubleLE(i * 8);
    if (!Number.isFinite(v)) throw new Error(`a number column holds ${v} at ${i}`);
    values[i] = v;
  }
  return values;
}
