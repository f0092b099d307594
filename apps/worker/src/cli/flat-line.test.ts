import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OFFLINE_WINDOW, parseFullLine } from "./emote-line.ts";
import { parseFlatAt } from "./flat-line.ts";

const MS = Date.parse("2026-03-01T20:00:01.250Z");

function flat(line: string) {
  const bytes = Buffer.from(line, "utf8");
  return parseFlatAt(bytes, 0, bytes.length, OFFLINE_WINDOW);
}

/** Python's `json.dumps` with its default `ensure_ascii`: every character beyond ASCII escaped. */
function ensureAscii(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

describe("parseFlatAt", () => {
  it("reads Python's json.dumps layout (spaces, escapes, naive timestamps) in place", () => {
    const line =
      '{"streamerId": "s1", "emote": "\\ud83d\\udd25", "timestamp": "2026-03-01T20:00:01.250123", "viewer": "v7"}';
    expect(flat(line)).toEqual({ emote: "🔥", timestampMs: MS, streamerId: "s1", viewer: "v7" });
    expect(flat('{ "timestamp" : "2026-03-01 20:00:01.25+00:00" , "emote" : "KEKW" }  ')).toEqual({
      emote: "KEKW",
      timestampMs: MS,
      streamerId: "default",
    });
    const withId = '{"id":"e-1","emote":"😀","timestamp":"2026-03-01T20:00:01.250Z","viewer":null,"n":[]}';
    expect(flat(withId)).toBeUndefined();
    expect(flat(withId.replace(',"n":[]', ',"n":-1.5e3,"ok":true'))).toEqual({
      emote: "😀",
      timestampMs: MS,
      streamerId: "default",
      id: "e-1",
    });
  });

  it("never reads a line otherwise than the full parser: any layout, value and escape", () => {
    const text = fc.constantFrom("a b", "x\u0000", "zoë✨", "\\", '"', "s1", "");
    // Mostly values the contract accepts, so that most lines are read and compared.
    const often = <T, U>(good: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
      fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: other, weight: 1 });
    const field = {
      emote: often(
        fc.constantFrom("🔥", "❤️", "PogChamp", ":kappa:"),
        fc.constantFrom("hello world", "", "🔥🔥", "a".repeat(33), 7, null),
      ),
      timestamp: often(
        fc.constantFrom(
          "2026-03-01T20:00:01.250Z",
          "2026-03-01T20:00:01Z",
          "2026-03-01T20:00:01.250",
          "2026-03-01 20:00:01.250123456",
          "2026-03-01T20:00:01.250z",
          "2026-03-01T20:00:01.250+00:00",
          "2026-03-01T20:00:01.250-0000",
          "2026-03-01T20:00:01.250+00",
          "1970-01-01T00:00:00.000Z",
        ),
        fc.constantFrom(
          "2026-03-01T20:00:01.2501234567Z",
          "2026-03-01T21:00:01.250+01:00",
          "2026-03-01T20:00:01.Z",
          "2026-02-30T20:00:01.250Z",
          "2026-03-01T24:00:01Z",
          "2026-03-01T20:00:60Z",
          "1969-12-31T23:59:59.999Z",
          "2026-03-01T20:00",
          " 2026-03-01T20:00:01Z",
          "2026-03-01t20:00:01Z",
          MS,
          MS / 1000,
          null,
        ),
      ),
      streamerId: often(
        fc.constantFrom("s1", "streamer-2"),
        fc.oneof(fc.constantFrom("x".repeat(65), null), text),
      ),
      viewer: often(
        fc.constantFrom("v7", "zoë✨", "v".repeat(128)),
        fc.oneof(fc.constantFrom("", null, 42, 4.5, "v".repeat(129)), text),
      ),
      id: often(fc.constantFrom("e-1"), fc.constantFrom("", "x".repeat(129), "a\u0007b", 3)),
      extra: fc.constantFrom(
        1,
        -0.5,
        2e10,
        true,
        false,
        null,
        "t\\u0000x",
        "\\uD83D",
        "bad\\x",
        { a: 1 },
        [1],
        "ok",
      ),
    };
    type Key = keyof typeof field;
    const optional: Key[] = ["streamerId", "viewer", "id", "extra"];
    const keys = fc.shuffledSubarray(optional).chain((some) => {
      const all: Key[] = ["emote", "timestamp", ...some];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
    const line = fc
      .record(
        {
          fields: keys,
          values: fc.record(field),
          spaced: fc.boolean(),
          ascii: fc.boolean(),
          duplicate: fc.boolean(),
        },
        { requiredKeys: ["fields", "values", "spaced", "ascii", "duplicate"] },
      )
      .map(({ fields, values, spaced, ascii, duplicate }) => {
        // A repeated key comes first, with `extra`'s value (an invalid escape among them).
        const written = duplicate ? [fields[0] ?? "emote", ...fields] : fields;
        const parts = written.map((k, i) => {
          const value = duplicate && i === 0 ? values.extra : values[k];
          // `extra`'s strings are written raw: escapes valid and not.
          const rendered =
            values.extra === value && typeof value === "string" ? `"${value}"` : JSON.stringify(value);
          return `${JSON.stringify(k)}${spaced ? ": " : ":"}${rendered}`;
        });
        const json = `{${parts.join(spaced ? ", " : ",")}}`;
        return ascii ? ensureAscii(json) : json;
      });
    let read = 0;
    fc.assert(
      fc.property(line, (l) => {
        const record = flat(l);
        if (record === undefined) return;
        read++;
        expect(parseFullLine(l), l).toEqual({ ok: true, record });
      }),
      { numRuns: 3_000 },
    );
    // The property compared something.
    expect(read).toBeGreaterThan(500);
  });
});
