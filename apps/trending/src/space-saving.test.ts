import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpaceSaving } from "./space-saving.ts";

describe("SpaceSaving", () => {
  it("is exact while it holds every key", () => {
    const s = new SpaceSaving(3);
    s.add("a", 2);
    s.add("b", 5);
    s.add("a", 1);
    expect(s.toJSON()).toEqual([
      ["a", 3, 0],
      ["b", 5, 0],
    ]);
    expect(s.maxError()).toBe(0);
  });

  it("replaces the smallest key past its capacity, the new count overestimating by at most the old one", () => {
    const s = new SpaceSaving(2);
    s.add("a", 5);
    s.add("b", 2);
    s.add("c", 1);
    expect(s.get("b")).toBeUndefined();
    expect(s.get("c")).toEqual({ count: 3, error: 2 });
  });

  it("applies decrements to held keys only, never below zero", () => {
    const s = new SpaceSaving(2);
    s.add("a", 2);
    s.add("a", -5);
    s.add("z", -1);
    expect(s.toJSON()).toEqual([["a", 0, 0]]);
  });

  it("round-trips through JSON", () => {
    const s = new SpaceSaving(2);
    s.add("a", 4);
    s.add("b", 1);
    s.add("c", 2);
    expect(SpaceSaving.fromJSON(2, s.toJSON()).toJSON()).toEqual(s.toJSON());
  });

  it("property: every held count is within [true, true + N/K], every key above N/K is held", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 20 })), {
          maxLength: 300,
        }),
        (capacity, adds) => {
          const s = new SpaceSaving(capacity);
          const exact = new Map<string, number>();
          let n = 0;
          for (const [k, d] of adds) {
            s.add(`e${k}`, d);
            exact.set(`e${k}`, (exact.get(`e${k}`) ?? 0) + d);
            n += d;
          }
          for (const key of s.keys()) {
            const held = s.get(key);
            const truth = exact.get(key) ?? 0;
            expect(held?.count).toBeGreaterThanOrEqual(truth);
            expect((held?.count ?? 0) - truth).toBeLessThanOrEqual(held?.error ?? 0);
            expect(held?.error).toBeLessThanOrEqual(n / capacity);
          }
          for (const [key, truth] of exact) if (truth > n / capacity) expect(s.get(key)).toBeDefined();
        },
      ),
    );
  });
});
