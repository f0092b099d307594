import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NumberColumn, readNumberColumn } from "./number-column.ts";

function column(values: number[]): string {
  const c = new NumberColumn(values.length);
  c.pushAll(values);
  return c.toBase64();
}

describe("number columns", () => {
  it("give back every finite double bit for bit, -0 included", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), (values) => {
        const back = readNumberColumn(column(values), { count: values.length });
        expect(back.map((v) => Object.is(v, -0))).toEqual(values.map((v) => Object.is(v, -0)));
        expect(back).toEqual(values);
      }),
    );
  });

  it("write an epoch second, a viewer hash or a full-precision rate in fewer characters than JSON (a small integer takes more)", () => {
    const values = [1_262_305_158, 0.1092273205395981, 0.000055380174004554494, 201_051_083];
    expect(column(values).length).toBeLessThan(JSON.stringify(values).length);
  });

  it("refuse a column of another length, a partial number, or one that is not finite", () => {
    expect(() => readNumberColumn(column([1, 2, 3]), { count: 2 })).toThrow(/24 bytes/);
    expect(() => readNumberColumn(column([1, 2, 3]), { multipleOf: 2, max: 10 })).toThrow(/24 bytes/);
    expect(() => readNumberColumn(column([1, 2, 3, 4]), { multipleOf: 2, max: 2 })).toThrow(/32 bytes/);
    expect(() => readNumberColumn(Buffer.from([1, 2, 3]).toString("base64"), { count: 0 })).toThrow(
      /3 bytes/,
    );
    expect(() => readNumberColumn(column([1, Number.NaN]), { count: 2 })).toThrow(/NaN at 1/);
    expect(() => readNumberColumn(column([Number.POSITIVE_INFINITY]), { count: 1 })).toThrow(/Infinity at 0/);
    expect(readNumberColumn(column([1, 2]), { multipleOf: 2, max: 2 })).toEqual([1, 2]);
  });
});
