import { describe, expect, it, vi } from "vitest";
import { OFFLINE_WINDOW, parseEmoteLine, type TimeUnit } from "./emote-line.ts";

const MS = Date.parse("2026-03-01T20:00:01.250Z");

describe("parseEmoteLine", () => {
  it("reads the producers' form with a viewer through the fast path", () => {
    const line = '{"emote":"😀","timestamp":"2026-03-01T20:00:01.250Z","streamerId":"s1","viewer":"v7"}';
    expect(parseEmoteLine(line)).toEqual({
      ok: true,
      record: { emote: "😀", timestampMs: MS, streamerId: "s1", viewer: "v7" },
    });
    // The fast path never reaches the full parser (whose first step is JSON.parse).
    const jsonParse = vi.spyOn(JSON, "parse");
    try {
      expect(parseEmoteLine(line).ok).toBe(true);
      expect(jsonParse).not.toHaveBeenCalled();
    } finally {
      jsonParse.mockRestore();
    }
  });

  it("reads a viewer with characters beyond ASCII in the fast path as the full parser does", () => {
    const line = '{"emote":"❤️","timestamp":"2026-03-01T20:00:01.250Z","streamerId":"s1","viewer":"zoë✨"}';
    expect(parseEmoteLine(line)).toEqual({
      ok: true,
      record: { emote: "❤️", timestampMs: MS, streamerId: "s1", viewer: "zoë✨" },
    });
  });

  it("reads any other form (field order, offsets, escapes, no streamer) the same as the contract", () => {
    const lines = [
      '{"viewer":"v7","streamerId":"s1","timestamp":"2026-03-01T21:00:01.25+01:00","emote":"\\ud83d\\ude00"}',
      '{"emote":"😀","timestamp":"2026-03-01T20:00:01.250Z","streamerId":"s1","viewer":"v7","extra":1}',
    ];
    for (const line of lines) {
      expect(parseEmoteLine(line)).toEqual({
        ok: true,
        record: { emote: "😀", timestampMs: MS, streamerId: "s1", viewer: "v7" },
      });
    }
    expect(parseEmoteLine('{"emote":"😀","timestamp":"2026-03-01T20:00:01.250Z"}')).toEqual({
      ok: true,
      record: { emote: "😀", timestampMs: MS, streamerId: "default" },
    });
  });

  it("reads offline chat as it is found: any time from 1970, numeric viewer ids, empty viewers", () => {
    const at = (viewer: string) =>
      `{"emote":"😀","timestamp":"1970-01-01T00:00:00.000Z","streamerId":"s1"${viewer}}`;
    expect(parseEmoteLine(at(',"viewer":7'))).toEqual({
      ok: true,
      record: { emote: "😀", timestampMs: 0, streamerId: "s1", viewer: "7" },
    });
    for (const viewer of ["", ',"viewer":null', ',"viewer":""']) {
      expect(parseEmoteLine(at(viewer))).toEqual({
        ok: true,
        record: { emote: "😀", timestampMs: 0, streamerId: "s1" },
      });
    }
    const far = '{"emote":"😀","timestamp":"2999-01-01T00:00:00.000Z","streamerId":"s1","viewer":"v"}';
    expect(parseEmoteLine(far)).toMatchObject({
      ok: true,
      record: { timestampMs: Date.parse("2999-01-01T00:00:00Z") },
    });
  });

  it("reads an emote written as a plain name (exported chat) as written, its other fields checked", () => {
    const line = (emote: string, streamer = "s1") =>
      `{"emote":"${emote}","timestamp":"2026-03-01T20:00:01.250Z","streamerId":"${streamer}","viewer":"v7"}`;
    for (const emote of ["PogChamp", "KEKW", "monka_S", "7"]) {
      expect(parseEmoteLine(line(emote))).toEqual({
        ok: true,
        record: { emote, timestampMs: MS, streamerId: "s1", viewer: "v7" },
      });
    }
    for (const emote of ["hello world", "a".repeat(33), "<script>", ""]) {
      expect(parseEmoteLine(line(emote))).toMatchObject({
        ok: false,
        error: expect.stringContaining("invalid emote"),
      });
    }
    expect(parseEmoteLine(line("Kappa", "a b"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("invalid streamerId"),
    });
  });

  it("reads timestamps as other tools write them: no offset (UTC), a space, an offset without colon, epoch numbers", () => {
    const line = (timestamp: string) => `{"emote":"😀","timestamp":${timestamp},"streamerId":"s1"}`;
    const forms: [string, number][] = [
      ['"2026-03-01T20:00:01.250"', MS],
      ['"2026-03-01T20:00:01.250123"', MS],
      ['"2026-03-01 20:00:01.250"', MS],
      ['"2026-03-01 20:00:01.250Z"', MS],
      ['"2026-03-01T21:00:01.250+0100"', MS],
      ['"2026-03-01T21:00:01.250+01"', MS],
      ['"2026-03-01T20:00:01.250123+00:00"', MS],
      ['"2026-03-01T20:00"', MS - 1_250],
      [String(MS), MS],
      [String(MS / 1000), MS],
      ["0", 0],
    ];
    for (const [timestamp, ms] of forms) {
      expect(parseEmoteLine(line(timestamp)), timestamp).toEqual({
        ok: true,
        record: { emote: "😀", timestampMs: ms, streamerId: "s1" },
      });
    }
    for (const timestamp of ['"2026-02-30 20:00:01"', '"yesterday"', "-5", "1e300", '"2026-03-01"', "true"]) {
      expect(parseEmoteLine(line(timestamp)), timestamp).toMatchObject({ ok: false });
    }
  });

  it("reads a number as the time unit says: seconds, milliseconds or, by default, by its size", () => {
    const line = (timestamp: string) => `{"emote":"😀","timestamp":${timestamp},"streamerId":"s1"}`;
    const cases: [string, TimeUnit, number | undefined][] = [
      ["90000", "auto", 90_000_000],
      ["90000", "ms", 90_000],
      ["1.5", "ms", 2],
      [String(MS), "ms", MS],
      [String(MS / 1000), "s", MS],
      [String(MS), "s", undefined],
    ];
    for (const [timestamp, unit, ms] of cases) {
      const parsed = parseEmoteLine(line(timestamp), OFFLINE_WINDOW, unit);
      if (ms === undefined) expect(parsed, `${timestamp} ${unit}`).toMatchObject({ ok: false });
      else expect(parsed, `${timestamp} ${unit}`).toMatchObject({ ok: true, record: { timestampMs: ms } });
    }
    // The unit is for numbers only.
    expect(parseEmoteLine(line('"2026-03-01T20:00:01.250Z"'), OFFLINE_WINDOW, "s")).toMatchObject({
      ok: true,
      record: { timestampMs: MS },
    });
  });

  it("refuses a bad line with one readable reason naming the field", () => {
    const cases: [string, string][] = [
      ["not json", "not JSON"],
      ['{"emote":"","timestamp":"2026-03-01T20:00:01.250Z","streamerId":"s1"}', "invalid emote"],
      ['{"emote":"😀","timestamp":"2026-02-30T20:00:01.250Z","streamerId":"s1"}', "invalid timestamp"],
      ['{"emote":"😀","timestamp":"2026-03-01T20:00:01.250Z","streamerId":"a b"}', "invalid streamerId"],
      ['{"emote":"😀","timestamp":"2026-03-01T20:00:01.250Z","viewer":7.5}', "invalid viewer"],
      ['{"emote":"😀","timestamp":"2026-03-01T20:00:01.250Z","viewer":["v7"]}', "invalid viewer"],
      ['{"emote":"😀","timestamp":"1969-12-31T23:59:59.999Z","streamerId":"s1"}', "outside"],
    ];
    for (const [line, reason] of cases) {
      const result = parseEmoteLine(line);
      expect(result.ok, line).toBe(false);
      if (!result.ok) {
        expect(result.error).toContain(reason);
        expect(result.error).not.toContain("\n");
      }
    }
  });
});
