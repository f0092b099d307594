import { isMainThread, parentPort } from "node:worker_threads";
import type { TimestampWindow } from "@emote/contracts";
import {
  packValues,
  parseBatch,
  type BatchParser,
  type PackedValues,
  type ParsedBatch,
} from "./parse-batch.ts";
import { typescriptWorker } from "./ts-worker.ts";

interface Request {
  id: number;
  packed: PackedValues;
  window: TimestampWindow;
}
interface Reply {
  id: number;
  parsed: ParsedBatch;
}

/**
 * Parsing (UTF-8, JSON, validation) is most of the worker's own CPU per emote; on its own
 * thread it runs beside kafkajs's decoding and the database round trips instead of after
 * them. The analysis stays on the main thread: it is cheap and owns the streamers' state.
 */
export function threadParser(): BatchParser {
  const worker = typescriptWorker(import.meta.url);
  const pending = new Map<number, { resolve: (p: ParsedBatch) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  worker.on("message", (reply: Reply) => {
    pending.get(reply.id)?.resolve(reply.parsed);
    pending.delete(reply.id);
  });
  worker.on("error", (err) => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  return {
    parse(values, window) {
      if (failure) return Promise.reject(failure);
      const packed = packValues(values);
      const id = nextId++;
      return new Promise<ParsedBatch>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: Request = { id, packed, window };
        worker.postMessage(request, [packed.bytes.buffer, packed.starts.buffer, packed.ends.buffer]);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", ({ id, packed, window }: Request) => {
    const parsed = parseBatch(packed, window);
    const reply: Reply = { id, parsed };
    port.postMessage(reply, [
      parsed.good.buffer,
      parsed.streamer.buffer,
      parsed.emote.buffer,
      parsed.timestampMs.buffer,
    ]);
  });
}
