import type { ReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { parseRawEmote } from "@emote/contracts";
import { formatTraceparent, parseTraceparent } from "@emote/observability";
import type { TracedEmoteMessage } from "./emote-stream.ts";
import { OptionsError } from "./options.ts";
import { hashString } from "./prng.ts";

export type ReplayLine = { ok: true; message: TracedEmoteMessage } | { ok: false; reason: string };

/**
 * One line of a recording. Validated with the contract's own parser, so a line the replay
 * accepts is one the worker accepts, and the reason reads like the worker's DLQ reason.
 * Without an `id` in the line, the id is `${streamerId}-${tag}-L${lineNumber}`: the same
 * file replays with the same ids. A valid W3C `traceparent` field is kept (it becomes the
 * record's header, so a recorded trace goes on); an invalid one is ignored.
 */
export function parseReplayLine(line: string, lineNumber: number, tag: string): ReplayLine {
  const parsed = parseRawEmote(Buffer.from(line, "utf8"));
  // The detail reads like the worker's DLQ header ("not JSON", "invalid emote: …").
  if (!parsed.ok) return { ok: false, reason: parsed.detail };
  const { emote, timestampMs, streamerId, id } = parsed.value;
  const message: TracedEmoteMessage = {
    emote,
    timestamp: new Date(timestampMs).toISOString(),
    streamerId,
    id: id ?? `${streamerId}-${tag}-L${lineNumber}`,
  };
  const traceparent = recordedTraceparent(line);
  if (traceparent !== undefined) message.traceparent = traceparent;
  return { ok: true, message };
}

/** The line's valid `traceparent` field, normalised; the line is already known to be JSON. */
function recordedTraceparent(line: string): string | undefined {
  // Most recordings have none: skip the second parse for them.
  if (!line.includes('"traceparent"')) return undefined;
  const context = parseTraceparent((JSON.parse(line) as { traceparent?: unknown }).traceparent);
  return context && formatTraceparent(context);
}

export interface ReplayOptions {
  /** Distinguishes generated ids of different recordings; derived from the file name by `replayTag`. */
  tag: string;
  /** Shift every timestamp so the first valid line lands here (epoch ms); omitted → as recorded. */
  start?: number;
  /** Stop after this many emotes. */
  count?: number;
  /** Told about every invalid line; the replay carries on. */
  onSkip: (lineNumber: number, reason: string) => void;
}

/** The emotes of a recording in file order; blank lines are ignored, invalid ones reported and skipped. */
export async function* replayEmotes(
  lines: AsyncIterable<string> | Iterable<string>,
  options: ReplayOptions,
): AsyncGenerator<TracedEmoteMessage, void, undefined> {
  const count = options.count ?? Number.POSITIVE_INFINITY;
  if (count <= 0) return;
  let shiftMs: number | undefined;
  let emitted = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    const parsed = parseReplayLine(line, lineNumber, options.tag);
    if (!parsed.ok) {
      options.onSkip(lineNumber, parsed.reason);
      continue;
    }
    const message = parsed.message;
    if (options.start !== undefined) {
      shiftMs ??= options.start - Date.parse(message.timestamp);
      message.timestamp = new Date(Date.parse(message.timestamp) + shiftMs).toISOString();
    }
    yield message;
    if (++emitted >= count) return;
  }
}

export function replayTag(path: string): string {
  return `r${hashString(basename(path)).toString(36)}`;
}

/**
 * Opens a recording for reading line by line (streamed: recordings can be large). Opening
 * eagerly makes a missing or unreadable file a usage error before anything connects.
 */
export async function openReplayFile(path: string): Promise<AsyncIterable<string>> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new OptionsError(`--replay: cannot read "${path}" (${code})`);
  }
  return readLines(handle.createReadStream({ encoding: "utf8" }));
}

async function* readLines(input: ReadStream): AsyncGenerator<string, void, undefined> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    yield* lines;
  } finally {
    // Reached on early return too (--count, shutdown): release the file.
    lines.close();
    input.destroy();
  }
}
