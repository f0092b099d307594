import { afterAll, describe, expect, it } from "vitest";
import { inlineParser, packValues, parseBatch } from "./parse-batch.ts";
import { threadParser } from "./parse-thread.ts";

const ts = "2025-01-15T10:20:30.000Z";
const values = [
  Buffer.from(JSON.stringify({ emote: "🔥", timestamp: ts, streamerId: "s1" })),
  null,
  Buffer.from("{nope"),
  Buffer.from(JSON.stringify({ emote: "😀", timestamp: ts })),
  Buffer.from(JSON.stringify({ emote: "🔥", timestamp: ts, streamerId: "s1" })),
];

describe("parseBatch", () => {
  it("packs values and parses them into columns with string tables and reasons", () => {
    const packed = packValues(values);
    expect(Array.from(packed.ends)).toEqual([
      values[0]?.length,
      -1,
      values[0]!.length + 5,
      expect.any(Number),
      packed.bytes.length,
    ]);
    const parsed = parseBatch(packed);
    expect(Array.from(parsed.good)).toEqual([1, 0, 0, 1, 1]);
    expect(parsed.streamers).toEqual(["s1", "default"]);
    expect(parsed.emotes).toEqual(["🔥", "😀"]);
    expect([0, 3, 4].map((i) => [parsed.streamer[i], parsed.emote[i], parsed.timestampMs[i]])).toEqual([
      [0, 0, Date.parse(ts)],
      [1, 1, Date.parse(ts)],
      [0, 0, Date.parse(ts)],
    ]);
    expect(parsed.reasons).toEqual({ 1: "empty message", 2: "not JSON" });
  });
});

describe("threadParser", () => {
  const parser = threadParser();
  afterAll(() => parser.close());

  it("gives exactly what parsing on this thread gives, for concurrent batches", async () => {
    const many = Array.from({ length: 2_000 }, (_, i) => values[i % values.length] ?? null);
    const [a, b] = await Promise.all([parser.parse(many), parser.parse(values)]);
    expect(a).toEqual(await inlineParser.parse(many));
    expect(b).toEqual(await inlineParser.parse(values));
  });
});
