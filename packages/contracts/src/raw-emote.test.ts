import { describe, expect, it } from "vitest";
import { MAX_RAW_MESSAGE_BYTES, parseRawEmote, rawEmoteSchema } from "./raw-emote.ts";

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

  it.each([
    ["not JSON", "{nope", "not JSON"],
    ["empty", "", "empty message"],
    ["missing emote", { timestamp: "2025-01-15T10:20:30.000Z" }, /^invalid emote:/],
    ["wrong type", { emote: 5, timestamp: "2025-01-15T10:20:30.000Z" }, /^invalid emote:/],
    ["non-ISO timestamp", { emote: "🔥", timestamp: "15/01/2025 10:20" }, /^invalid timestamp:/],
    [
      "bad streamer id",
      { emote: "🔥", timestamp: "2025-01-15T10:20:30Z", streamerId: "a b" },
      /^invalid streamerId:/,
    ],
    ["a JSON array", [1, 2], /^invalid message:/],
  ])("rejects %s with a reason", (_name, input, reason) => {
    const r = parseRawEmote(bytes(input));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("rejects a message over 64 KiB before parsing it", () => {
    const big = Buffer.alloc(MAX_RAW_MESSAGE_BYTES + 1, 0x20);
    expect(parseRawEmote(big)).toEqual({ ok: false, reason: `message is 65537 bytes, over the 65536 limit` });
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
      { emote: "x".repeat(65), timestamp: ts },
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
    ];
    for (const text of texts) {
      let viaJson: ReturnType<typeof parseRawEmote>;
      try {
        const schema = rawEmoteSchema.safeParse(JSON.parse(text));
        viaJson = schema.success
          ? parseRawEmote(Buffer.from(JSON.stringify(JSON.parse(text), null, 1)))
          : { ok: false, reason: "" };
      } catch {
        viaJson = { ok: false, reason: "not JSON" };
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
