import { isMainThread, parentPort } from "node:worker_threads";
import {
  SurgeStreamers,
  surgeTransfers,
  type SurgeBatch,
  type SurgeBatchResult,
  type SurgeLoad,
  type SurgeStage,
} from "./surge-stage.ts";
import { typescriptWorker } from "./ts-worker.ts";

type Request =
  | { kind: "load"; streamers: readonly SurgeLoad[] }
  | { kind: "forget"; ids: readonly string[] }
  | { kind: "clear" }
  | { kind: "analyse"; id: number; batch: SurgeBatch };
type Reply = { id: number; result: SurgeBatchResult } | { id: number; error: string };

/**
 * The surge detectors on a thread of their own. The surge path costs the worker about a
 * sixth more CPU per emote; here it runs beside the seed's rule, the timelines, kafkajs and
 * the database round trips, on a core the consumer's thread does not use, where the worker
 * has one (BENCHMARKS.md, bench:processor). One port carries every call, so loads, forgets
 * and batches take effect in the order the worker made them.
 */
export function threadSurgeStage(): SurgeStage {
  const worker = typescriptWorker(import.meta.url);
  const pending = new Map<number, { resolve: (r: SurgeBatchResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  worker.on("message", (reply: Reply) => {
    const call = pending.get(reply.id);
    pending.delete(reply.id);
    if ("error" in reply) call?.reject(new Error(`surge thread: ${reply.error}`));
    else call?.resolve(reply.result);
  });
  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on("error", fail);
  // Stopped (close, or the thread died without an error event): a batch waiting on it fails rather than hangs.
  worker.on("exit", (code) => fail(new Error(`the surge thread stopped (exit code ${code})`)));
  const post = (request: Request, transfer: ArrayBuffer[] = []) => worker.postMessage(request, transfer);
  return {
    load(streamers) {
      if (streamers.length > 0) post({ kind: "load", streamers });
    },
    forget(ids) {
      if (ids.length > 0) post({ kind: "forget", ids });
    },
    clear() {
      post({ kind: "clear" });
    },
    analyse(batch) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<SurgeBatchResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ kind: "analyse", id, batch }, surgeTransfers(batch));
      });
    },
    async close() {
      await worker.terminate();
    },
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
      case "analyse": {
        let reply: Reply;
        try {
          reply = { id: request.id, result: streamers.analyse(request.batch) };
        } catch (err) {
          // The worker fails the batch and clears this state with the rest of its memory.
          reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
        }
        return port.postMessage(reply);
      }
    }
  });
}
