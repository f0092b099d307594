import { isMainThread, parentPort } from "node:worker_threads";
import {
  SurgeStreamers,
  type SurgeBatch,
  type SurgeBatchResult,
  type SurgeLoad,
  type SurgeStage,
} from "./surge-stage.ts";
import { replyTo, ThreadCalls } from "./ts-worker.ts";

type Request =
  | { kind: "load"; streamers: readonly SurgeLoad[] }
  | { kind: "forget"; ids: readonly string[] }
  | { kind: "clear" }
  | { kind: "analyse"; id: number; batch: SurgeBatch };

/**
 * The surge detectors on a thread of their own. The surge path costs the worker about a
 * sixth more CPU per emote; here it runs beside the seed's rule, the timelines, kafkajs and
 * the database round trips, on a core the consumer's thread does not use, where the worker
 * has one (BENCHMARKS.md, bench:processor). One port carries every call, so loads, forgets
 * and batches take effect in the order the worker made them.
 */
export function threadSurgeStage(): SurgeStage {
  const thread = new ThreadCalls<Request, SurgeBatchResult>(import.meta.url, "surge thread");
  return {
    load(streamers) {
      if (streamers.length > 0) thread.post({ kind: "load", streamers });
    },
    forget(ids) {
      if (ids.length > 0) thread.post({ kind: "forget", ids });
    },
    clear() {
      thread.post({ kind: "clear" });
    },
    analyse(batch) {
      // The runs' columns move to the thread rather than being copied.
      const transfer = batch.runs.flatMap((r) => [
        r.emote.buffer,
        r.timestampMs.buffer,
        r.viewer.buffer,
        r.at.buffer,
      ]);
      return thread.call((id) => ({ kind: "analyse", id, batch }), transfer);
    },
    close: () => thread.close(),
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const streamers = new SurgeStreamers();
  port.on("message", (request: Request) => {
    switch (request.kind) {
      case "load":
        return streamers.load(request.streamers);
      case "forget":
        return streamers.forget(request.ids);
      case "clear":
        return streamers.clear();
      case "analyse":
        // A throw fails the batch; the worker then clears this state with the rest of its memory.
        return port.postMessage(replyTo(request.id, () => streamers.analyse(request.batch)));
    }
  });
}
