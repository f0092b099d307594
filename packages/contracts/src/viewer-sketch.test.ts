import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  VIEWER_SKETCH_MAX_CHARS,
  ViewerSketch,
  ViewerSketchError,
  viewerSketchSchema,
} from "./viewer-sketch.ts";

function sketchOf(hashes: Iterable<number>): ViewerSketch {
  const s = new ViewerSketch();
  for (const h of hashes) s.addHash(h);
  return s;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

const registersOf = (s: ViewerSketch) => ViewerSketch.decode(s.encode()).encode();

describe("ViewerSketch", () => {
  it("counts an empty sketch as 0 and a repeated viewer once", () => {
    expect(new ViewerSketch().estimate()).toBe(0);
    const s = sketchOf([7, 7, 7]);
    expect(s.estimate()).toBe(1);
    expect(s.addHash(7)).toBe(false);
  });

  it.each([50, 1_000, 20_000, 200_000])(
    "estimates %i distinct viewers within 3 standard errors (4.9 %%)",
    (n) => {
      // Sequential integers: the sketch's own mixing has to spread them.
      const estimate = sketchOf(range(0, n)).estimate();
      expect(Math.abs(estimate - n) / n).toBeLessThan(3 * 0.01625);
    },
  );

  it("is within 1 of the truth for small counts (linear counting)", () => {
    for (const n of [1, 5, 50, 100])
      expect(Math.abs(sketchOf(range(1_000, 1_000 + n)).estimate() - n)).toBeLessThanOrEqual(1);
  });

  it("unions to the sketch of the union: the same 50 viewers on two streams count 50", () => {
    const a = sketchOf(range(0, 50));
    const b = sketchOf(range(0, 50));
    a.union(b);
    expect(a.estimate()).toBe(50);
    const c = sketchOf(range(0, 30_000));
    c.union(sketchOf(range(20_000, 50_000)));
    expect(registersOf(c)).toBe(registersOf(sketchOf(range(0, 50_000))));
  });

  it("union is idempotent, commutative and associative (any order, any grouping, repeats)", () => {
    const part = fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 400 });
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 1_000 }),
        (parts, seed) => {
          const all = sketchOf(parts.flat());
          // Merge the parts' sketches in a shuffled order, each twice, in two groups.
          const order = parts
            .map((_, i) => i)
            .sort((x, y) => ((x * 7919 + seed) % 13) - ((y * 7919 + seed) % 13));
          const left = new ViewerSketch();
          const right = new ViewerSketch();
          order.forEach((i, k) => (k % 2 === 0 ? left : right).union(sketchOf(parts[i] ?? [])));
          for (const i of order) right.union(sketchOf(parts[i] ?? []));
          left.union(right);
          left.union(left);
          expect(registersOf(left)).toBe(registersOf(all));
          expect(left.estimate()).toBe(all.estimate());
        },
      ),
    );
  });

  it("encodes a few viewers sparsely and many densely, and decodes to the same registers", () => {
    const few = sketchOf([1, 2, 3, 4, 5]);
    expect(few.encode()).toMatch(/^s/);
    expect(few.encode().length).toBeLessThanOrEqual(21);
    expect(ViewerSketch.decode(few.encode()).estimate()).toBe(5);
    const many = sketchOf(range(0, 100_000));
    const text = many.encode();
    expect(text).toMatch(/^d/);
    expect(text.length).toBeLessThanOrEqual(VIEWER_SKETCH_MAX_CHARS);
    expect(ViewerSketch.decode(text).encode()).toBe(text);
    expect(ViewerSketch.decode(text).estimate()).toBe(many.estimate());
    expect(viewerSketchSchema.safeParse(text).success).toBe(true);
  });

  it.each([
    ["x", 'starts with "s" (sparse) or "d" (dense)'],
    ["s!!", "not base64url"],
    ["sAAA", "not a whole number of entries"],
    ["sEAAB", "not increasing below 4096"],
    ["sAAEBAAEB", "not increasing below 4096"],
    ["sAAAW", "above 21"],
    ["sAAAA", "lists an empty register"],
    ["dAAAA", "has 3072 bytes, not 3"],
    ["d" + "A".repeat(VIEWER_SKETCH_MAX_CHARS), "at most"],
  ])("refuses %j with a reason", (text, reason) => {
    expect(() => ViewerSketch.decode(text)).toThrow(ViewerSketchError);
    expect(() => ViewerSketch.decode(text)).toThrow(reason);
    const parsed = viewerSketchSchema.safeParse(text);
    expect(parsed.success).toBe(false);
  });

  it("refuses a dense sketch with a register above 21", () => {
    const text = "d" + "_".repeat(4096);
    expect(() => ViewerSketch.decode(text)).toThrow("above 21");
  });
});
