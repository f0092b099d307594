import { isMainThread, parentPort } from "node:worker_threads";
import type { TimestampWindow } from "@emote/contracts";
import {
  packValues,
  parseBatch,
  type BatchParser,
  type PackedValues,
  type ParsedBatch,
} from "./parse-batch.ts";
import { replyTo, ThreadCalls, type ThreadReply } from "./ts-worker.ts";

interface Request {
  id: number;
  packed: PackedValues;
  window: TimestampWindow;
}

/**
 * Parsing (UTF-8, JSON, validation) is most of the worker's own CPU per emote; on its own
 * thread it runs beside kafkajs's decoding and the database round trips instead of after
 * them.
 */
export function threadParser(): BatchParser {
  const thread = new ThreadCalls<Request, ParsedBatch>(import.meta.url, "parse thread");
  return {
    parse(values, window) {
      const packed = packValues(values);
      return thread.call(
        (id) => ({ id, packed, window }),
        [packed.bytes.buffer, packed.starts.buffer, packed.ends.buffer],
      );
    },
    close: () => thread.close(),
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", ({ id, packed, window }: Request) => {
    const reply: ThreadReply<ParsedBatch> = replyTo(id, () => parseBatch(packed, window));
    port.postMessage(
      reply,
      "result" in reply
        ? [
            reply.result.good.buffer,
            reply.result.streamer.buffer,
            reply.result.emote.buffer,
            reply.result.timestampMs.buffer,
          ]
        : [],
    );
  });
}
