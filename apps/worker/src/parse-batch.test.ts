import { afterAll, describe, expect, it } from "vitest";
import { timestampWindow } from "@emote/contracts";
import { inlineParser, packValues, parseBatch } from "./parse-batch.ts";
import { threadParser } from "./parse-thread.ts";

const ts = "2025-01-15T10:20:30.000Z";
const values = [
  Buffer.from(JSON.stringify({ emote: "🔥", timestamp: ts, streamerId: "s1" })),
  null,
  Buffer.from("{nope"),
  Buffer.from(JSON.stringify({ emote: "😀", timestamp: ts })),
  Buffer.from(JSON.stringify({ emote: "🔥", timestamp: ts, streamerId: "s1" })),
  Buffer.from(JSON.stringify({ emote: "🔥", timestamp: "9999-12-31T00:00:00Z", streamerId: "s1" })),
];
const window = timestampWindow();

describe("parseBatch", () => {
  it("packs values and parses them into columns with string tables and reasons", () => {
    const packed = packValues(values);
    expect(Array.from(packed.ends)).toEqual([
      values[0]?.length,
      -1,
      values[0]!.length + 5,
      expect.any(Number),
      expect.any(Number),
      packed.bytes.length,
    ]);
    const parsed = parseBatch(packed, window);
    expect(Array.from(parsed.good)).toEqual([1, 0, 0, 1, 1, 0]);
    expect(parsed.streamers).toEqual(["s1", "default"]);
    expect(parsed.emotes).toEqual(["🔥", "😀"]);
    expect([0, 3, 4].map((i) => [parsed.streamer[i], parsed.emote[i], parsed.timestampMs[i]])).toEqual([
      [0, 0, Date.parse(ts)],
      [1, 1, Date.parse(ts)],
      [0, 0, Date.parse(ts)],
    ]);
    expect(parsed.reasons).toEqual({
      1: { reason: "empty", detail: "empty message" },
      2: { reason: "not_json", detail: "not JSON" },
      5: { reason: "timestamp_out_of_range", detail: expect.stringMatching(/^timestamp 9999-12-31/) },
    });
  });
});

describe("threadParser", () => {
  const parser = threadParser();
  afterAll(() => parser.close());

  it("gives exactly what parsing on this thread gives, for concurrent batches", async () => {
    const many = Array.from({ length: 2_000 }, (_, i) => values[i % values.length] ?? null);
    const [a, b] = await Promise.all([parser.parse(many, window), parser.parse(values, window)]);
    expect(a).toEqual(await inlineParser.parse(many, window));
    expect(b).toEqual(await inlineParser.parse(values, window));
  });
});
