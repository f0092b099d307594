import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EmoteMessage } from "./emote-stream.ts";
import { OptionsError } from "./options.ts";
import { openReplayFile, parseReplayLine, replayEmotes, replayTag } from "./replay.ts";

async function collect(lines: string[], extra: { start?: number; count?: number } = {}) {
  const skipped: [number, string][] = [];
  const messages: EmoteMessage[] = [];
  for await (const m of replayEmotes(lines, {
    tag: "t",
    onSkip: (n, reason) => skipped.push([n, reason]),
    ...extra,
  })) {
    messages.push(m);
  }
  return { messages, skipped };
}

describe("parseReplayLine", () => {
  it("accepts the original two-field form as streamer `default`, with an id from the line number", () => {
    expect(parseReplayLine('{"emote":"🔥","timestamp":"2025-01-15T10:20:30.000Z"}', 12, "t")).toEqual({
      ok: true,
      message: {
        emote: "🔥",
        timestamp: "2025-01-15T10:20:30.000Z",
        streamerId: "default",
        id: "default-t-L12",
      },
    });
  });

  it("keeps streamerId and a recorded id, and normalises the timestamp to UTC", () => {
    expect(
      parseReplayLine(
        '{"emote":"😀","timestamp":"2025-01-15T12:20:30+02:00","streamerId":"s7","id":"abc","extra":1}',
        1,
        "t",
      ),
    ).toEqual({
      ok: true,
      message: { emote: "😀", timestamp: "2025-01-15T10:20:30.000Z", streamerId: "s7", id: "abc" },
    });
  });
});

describe("parseReplayLine trace context", () => {
  const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  it("keeps a valid recorded traceparent for the header", () => {
    const parsed = parseReplayLine(
      `{"emote":"🔥","timestamp":"2025-01-15T10:20:30.000Z","traceparent":"${tp}"}`,
      3,
      "t",
    );
    expect(parsed).toEqual({
      ok: true,
      message: {
        emote: "🔥",
        timestamp: "2025-01-15T10:20:30.000Z",
        streamerId: "default",
        id: "default-t-L3",
        traceparent: tp,
      },
    });
  });

  it.each([
    ["a malformed one", '"not-a-traceparent"'],
    ["an all-zero trace id", '"00-00000000000000000000000000000000-b7ad6b7169203331-01"'],
    ["upper-case hex", `"${tp.toUpperCase()}"`],
    ["a number", "42"],
  ])("ignores %s (a new one is made when sending)", (_, value) => {
    const parsed = parseReplayLine(
      `{"emote":"🔥","timestamp":"2025-01-15T10:20:30.000Z","traceparent":${value}}`,
      1,
      "t",
    );
    expect(parsed.ok && "traceparent" in parsed.message).toBe(false);
    expect(parsed.ok).toBe(true);
  });
});

describe("replayEmotes", () => {
  it("reports invalid lines by number with the reason, skips them and blank lines, and carries on", async () => {
    const { messages, skipped } = await collect([
      '{"emote":"🔥","timestamp":"2025-01-15T10:20:30.000Z"}',
      "not json",
      "",
      '{"timestamp":"2025-01-15T10:20:31.000Z"}',
      '{"emote":"👍","timestamp":"15/01/2025 10:20"}',
      '{"emote":"👍","timestamp":"2025-01-15T10:20:32.000Z","streamerId":"bad id"}',
      "   ",
      '{"emote":"😢","timestamp":"2025-01-15T10:20:33.000Z","streamerId":"s2"}',
    ]);
    expect(messages.map((m) => [m.emote, m.streamerId, m.id])).toEqual([
      ["🔥", "default", "default-t-L1"],
      ["😢", "s2", "s2-t-L8"],
    ]);
    expect(skipped.map(([n]) => n)).toEqual([2, 4, 5, 6]);
    expect(skipped[0]![1]).toBe("not JSON");
    expect(skipped[1]![1]).toMatch(/^invalid emote:/);
    expect(skipped[2]![1]).toMatch(/^invalid timestamp:/);
    expect(skipped[3]![1]).toMatch(/^invalid streamerId:/);
  });

  it("shifts the recording to --start, keeping the gaps between emotes", async () => {
    const { messages } = await collect(
      [
        "garbage",
        '{"emote":"🔥","timestamp":"2024-03-01T08:00:00.000Z"}',
        '{"emote":"🔥","timestamp":"2024-03-01T08:00:00.500Z"}',
        '{"emote":"👍","timestamp":"2024-03-01T08:01:10.000Z"}',
      ],
      { start: Date.parse("2025-01-15T10:00:00.000Z") },
    );
    expect(messages.map((m) => m.timestamp)).toEqual([
      "2025-01-15T10:00:00.000Z",
      "2025-01-15T10:00:00.500Z",
      "2025-01-15T10:01:10.000Z",
    ]);
  });

  it("stops after count emotes", async () => {
    const line = '{"emote":"🔥","timestamp":"2025-01-15T10:20:30.000Z"}';
    const { messages } = await collect([line, "bad", line, line, line], { count: 2 });
    expect(messages.map((m) => m.id)).toEqual(["default-t-L1", "default-t-L3"]);
  });
});

describe("openReplayFile", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("streams the lines of a file, CRLF or not", async () => {
    const dir = await mkdtemp(join(tmpdir(), "replay-"));
    dirs.push(dir);
    const file = join(dir, "chat.jsonl");
    await writeFile(
      file,
      '{"emote":"🔥","timestamp":"2025-01-15T10:20:30Z"}\r\n{"emote":"👍","timestamp":"2025-01-15T10:20:31Z"}\n',
    );
    const lines: string[] = [];
    for await (const line of await openReplayFile(file)) lines.push(line);
    expect(lines).toEqual([
      '{"emote":"🔥","timestamp":"2025-01-15T10:20:30Z"}',
      '{"emote":"👍","timestamp":"2025-01-15T10:20:31Z"}',
    ]);
  });

  it("turns a missing file into a usage error naming --replay", async () => {
    await expect(openReplayFile("/nonexistent/chat.jsonl")).rejects.toThrow(
      new OptionsError('--replay: cannot read "/nonexistent/chat.jsonl" (ENOENT)'),
    );
  });

  it("derives the id tag from the file name only", () => {
    expect(replayTag("/a/chat.jsonl")).toBe(replayTag("/b/chat.jsonl"));
    expect(replayTag("/a/chat.jsonl")).not.toBe(replayTag("/a/other.jsonl"));
  });
});
