import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIMESTAMP_MAX_AHEAD_MS,
  MAX_RAW_MESSAGE_BYTES,
  parseRawEmote,
  rawEmoteSchema,
  timestampWindow,
  type ParseResult,
} from "./raw-emote.ts";

const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

describe("parseRawEmote", () => {
  it("accepts the original two-field form and assigns it to the default streamer", () => {
    expect(parseRawEmote(bytes({ emote: "🔥", timestamp: "2025-01-15T10:20:30.000Z" }))).toEqual({
      ok: true,
      value: { emote: "🔥", timestampMs: Date.UTC(2025, 0, 15, 10, 20, 30), streamerId: "default" },
    });
  });

  it("keeps streamerId and id, and ignores unknown fields", () => {
    const r = parseRawEmote(
      bytes({ emote: "😀", timestamp: "2025-01-15T10:20:30+02:00", streamerId: "s1", id: "e-1", extra: 1 }),
    );
    expect(r).toEqual({
      ok: true,
      value: { emote: "😀", timestampMs: Date.UTC(2025, 0, 15, 8, 20, 30), streamerId: "s1", id: "e-1" },
    });
  });

  const ts = "2025-01-15T10:20:30Z";
  it.each([
    ["not JSON", "{nope", "not_json", "not JSON"],
    ["binary garbage", Buffer.from([0xff, 0x00, 0xfe, 0x7b]), "not_json", "not JSON"],
    ["empty", "", "empty", "empty message"],
    ["missing emote", { timestamp: ts }, "invalid_emote", /^invalid emote:/],
    ["wrong type", { emote: 5, timestamp: ts }, "invalid_emote", /^invalid emote:/],
    [
      "an emote with U+0000",
      { emote: "a\u0000b", timestamp: ts },
      "invalid_emote",
      /^invalid emote: An emote is/,
    ],
    ["an emote that is a lone surrogate", { emote: "\ud83d", timestamp: ts }, "invalid_emote", /An emote is/],
    ["an emote that is a word", { emote: "hello", timestamp: ts }, "invalid_emote", /An emote is/],
    ["an emote that is a bidi override", { emote: "\u202e", timestamp: ts }, "invalid_emote", /An emote is/],
    [
      "a streamer id of dots",
      { emote: "🔥", timestamp: ts, streamerId: ".." },
      "invalid_streamer_id",
      /A streamer id is/,
    ],
    [
      "an id with a control character",
      { emote: "🔥", timestamp: ts, id: "a\u0085" },
      "invalid_id",
      /control/,
    ],
    [
      "an id with a lone surrogate",
      { emote: "🔥", timestamp: ts, id: "\udc00x" },
      "invalid_id",
      /well-formed/,
    ],
    [
      "non-ISO timestamp",
      { emote: "🔥", timestamp: "15/01/2025 10:20" },
      "invalid_timestamp",
      /^invalid timestamp:/,
    ],
    [
      "bad streamer id",
      { emote: "🔥", timestamp: ts, streamerId: "a b" },
      "invalid_streamer_id",
      /^invalid streamerId:/,
    ],
    ["a JSON array", [1, 2], "invalid", /^invalid message:/],
    ["year 0000", { emote: "🔥", timestamp: "0000-06-01T00:00:00Z" }, "timestamp_out_of_range", /outside/],
    ["year 9999", { emote: "🔥", timestamp: "9999-12-31T23:59:59Z" }, "timestamp_out_of_range", /outside/],
  ])("rejects %s with a typed reason and a detail", (_name, input, reason, detail) => {
    const r = parseRawEmote(Buffer.isBuffer(input) ? input : bytes(input));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.detail).toMatch(detail);
    }
  });

  it("rejects a message over 64 KiB before parsing it", () => {
    const big = Buffer.alloc(MAX_RAW_MESSAGE_BYTES + 1, 0x20);
    expect(parseRawEmote(big)).toEqual({
      ok: false,
      reason: "too_large",
      detail: `message is 65537 bytes, over the 65536 limit`,
    });
  });

  it("accepts a timestamp up to the window's edges, and not a millisecond beyond", () => {
    const now = Date.UTC(2026, 5, 1);
    const window = timestampWindow({ earliestMs: Date.UTC(2000, 0, 1), maxAheadMs: 60_000 }, now);
    const at = (ms: number) =>
      parseRawEmote(bytes({ emote: "🔥", timestamp: new Date(ms).toISOString() }), window).ok;
    expect([at(Date.UTC(2000, 0, 1)), at(Date.UTC(2000, 0, 1) - 1)]).toEqual([true, false]);
    expect([at(now + 60_000), at(now + 60_001)]).toEqual([true, false]);
    // The default window: a day ahead of the clock.
    expect(timestampWindow(undefined, now).latestMs).toBe(now + DEFAULT_TIMESTAMP_MAX_AHEAD_MS);
  });
});

describe("parseRawEmote's shortcut for timestamps already seen", () => {
  it("agrees with the schema on every message, seen timestamp or not", () => {
    const ts = "2025-01-15T10:20:30.000Z";
    const variants: unknown[] = [
      { emote: "🔥", timestamp: ts },
      { emote: "🔥", timestamp: ts, streamerId: "s1", id: "x" },
      { emote: "", timestamp: ts },
      { emote: "x".repeat(64), timestamp: ts },
      { emote: `:${"x".repeat(32)}:`, timestamp: ts },
      { emote: `:${"x".repeat(33)}:`, timestamp: ts },
      { emote: "hello", timestamp: ts },
      { emote: "❤", timestamp: ts },
      { emote: "🔥", timestamp: ts, streamerId: ".." },
      { emote: "🔥", timestamp: ts, streamerId: "-x" },
      { emote: 1, timestamp: ts },
      { emote: null, timestamp: ts },
      { timestamp: ts },
      { emote: "🔥", timestamp: ts, streamerId: "" },
      { emote: "🔥", timestamp: ts, streamerId: null },
      { emote: "🔥", timestamp: ts, streamerId: "a b" },
      { emote: "🔥", timestamp: ts, streamerId: "s".repeat(65) },
      { emote: "🔥", timestamp: ts, streamerId: 7 },
      { emote: "🔥", timestamp: ts, id: "i".repeat(129) },
      { emote: "🔥", timestamp: ts, id: 5 },
      { emote: "🔥", timestamp: ts, id: null },
      { emote: "a\u0000b", timestamp: ts },
      { emote: "\ud83d", timestamp: ts },
      { emote: "\ude00\ud83d", timestamp: ts },
      { emote: "\ud83d\ude00", timestamp: ts },
      { emote: "\u0001\u007f", timestamp: ts },
      { emote: "e\u0301".repeat(32), timestamp: ts },
      { emote: "e" + "\u0301".repeat(5_000), timestamp: ts },
      { emote: "🔥", timestamp: ts, id: "a\u0000" },
      { emote: "🔥", timestamp: ts, id: "a\u007f" },
      { emote: "🔥", timestamp: ts, id: "a\u009f" },
      { emote: "🔥", timestamp: ts, id: "\ud83d" },
      { emote: "🔥", timestamp: ts, id: "ok-\ud83d\ude00" },
      [{ emote: "🔥", timestamp: ts }],
      "🔥",
      null,
    ];
    // Twice: first with the timestamp unseen (schema path), then seen (shortcut).
    for (let round = 0; round < 2; round++) {
      for (const v of variants) {
        const schemaSays = rawEmoteSchema.safeParse(v).success;
        expect({ v, ok: parseRawEmote(bytes(v)).ok }).toEqual({ v, ok: schemaSays });
      }
    }
  });

  it("applies the timestamp window on both paths alike", () => {
    const ts = "2031-03-01T00:00:00Z";
    const early = timestampWindow({ earliestMs: 0, maxAheadMs: 0 }, Date.UTC(2031, 0, 1));
    const late = timestampWindow({ earliestMs: 0, maxAheadMs: 0 }, Date.UTC(2032, 0, 1));
    // Schema path, shortcut path (the timestamp is now known), then a window that accepts it.
    expect(parseRawEmote(bytes({ emote: "🔥", timestamp: ts }), early)).toMatchObject({
      reason: "timestamp_out_of_range",
    });
    expect(parseRawEmote(bytes({ emote: "🔥", timestamp: ts }), early)).toMatchObject({
      reason: "timestamp_out_of_range",
    });
    expect(parseRawEmote(bytes({ emote: "🔥", timestamp: ts }), late).ok).toBe(true);
  });
});

describe("parseRawEmote's regular expression for the common form", () => {
  it("decodes exactly as JSON.parse does, and leaves everything unusual to JSON.parse", () => {
    const ts = "2025-01-15T10:20:30.000Z";
    const texts = [
      `{"emote":"🔥","timestamp":"${ts}"}`,
      `{"emote":"🔥","timestamp":"${ts}","streamerId":"s1"}`,
      `{"emote":"🔥","timestamp":"${ts}","streamerId":"s1","id":"a-1"}`,
      `{"emote":"🔥","timestamp":"${ts}","id":"a-1"}`,
      `{"emote":"\\u00e9","timestamp":"${ts}"}`,
      `{"emote":"a\\"b","timestamp":"${ts}"}`,
      `{"emote":"tab\there","timestamp":"${ts}"}`,
      `{"emote":"","timestamp":"${ts}"}`,
      `{ "emote":"🔥","timestamp":"${ts}"}`,
      `{"emote":"🔥","timestamp":"${ts}","streamerId":"s1","streamerId":"s2"}`,
      `{"emote":"a\\u0000b","timestamp":"${ts}"}`,
      `{"emote":"\\ud83d","timestamp":"${ts}"}`,
      `{"emote":"🔥","timestamp":"${ts}","id":"del\u007f"}`,
      `{"emote":"🔥","timestamp":"${ts}","id":"c1\u0085"}`,
      `{"emote":"🔥","timestamp":"${ts}","id":"nul\\u0000"}`,
      `{"emote":"\u0301\u0301","timestamp":"${ts}"}`,
    ];
    for (const text of texts) {
      let viaJson: ParseResult;
      try {
        const schema = rawEmoteSchema.safeParse(JSON.parse(text));
        viaJson = schema.success
          ? parseRawEmote(Buffer.from(JSON.stringify(JSON.parse(text), null, 1)))
          : { ok: false, reason: "invalid", detail: "" };
      } catch {
        viaJson = { ok: false, reason: "not_json", detail: "not JSON" };
      }
      const direct = parseRawEmote(Buffer.from(text));
      expect({ text, ok: direct.ok, value: direct.ok ? direct.value : undefined }).toEqual({
        text,
        ok: viaJson.ok,
        value: viaJson.ok ? viaJson.value : undefined,
      });
    }
  });
});
