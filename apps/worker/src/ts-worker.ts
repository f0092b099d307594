import { Worker, type TransferListItem } from "node:worker_threads";
import { UnrecoverableBatchError } from "./poison-bisection.ts";

/** A thread's answer to call `id`: its result, or what it threw. */
export type ThreadReply<T> =
  { id: number; result: T } | { id: number; error: { name: string; message: string } };

/** A call's reply as a thread posts it: `run` throwing becomes the error reply. */
export function replyTo<T>(id: number, run: () => T): ThreadReply<T> {
  try {
    return { id, result: run() };
  } catch (err) {
    const { name, message } = err instanceof Error ? err : new Error(String(err));
    return { id, error: { name, message } };
  }
}

/**
 * Calls into a worker thread that runs the module at `moduleUrl` (its `import.meta.url`;
 * the apps run from TypeScript source, so the thread registers tsx before loading it).
 * Messages reach the thread in the order they were posted. A call the thread throws on
 * fails with that error, a TypeError as a TypeError (the batch's records are then isolated
 * and dead-lettered as on the consumer's thread, poison-bisection.ts). A thread that dies
 * fails every waiting and later call for good (UnrecoverableBatchError): the worker stops
 * and is restarted rather than replaying batches into a thread that lost its state.
 */
export class ThreadCalls<Message, Result> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;

  constructor(moduleUrl: string, what: string) {
    const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); })`;
    this.worker = new Worker(bootstrap, { eval: true });
    // It does not keep the process alive.
    this.worker.unref();
    this.worker.on("message", (reply: ThreadReply<Result>) => {
      const call = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("result" in reply) call?.resolve(reply.result);
      else
        call?.reject(
          new (reply.error.name === "TypeError" ? TypeError : Error)(`${what}: ${reply.error.message}`),
        );
    });
    const fail = (detail: string, cause?: Error) => {
      this.failure ??= new UnrecoverableBatchError(`the ${what} stopped: ${detail}`, { cause });
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on("error", (err) => fail(err.message, err));
    this.worker.on("exit", (code) => fail(this.closing ? "closed" : `exit code ${code}`));
  }

  /** Posts `message(id)` and resolves with the thread's answer to call `id`. */
  call(message: (id: number) => Message, transfer: readonly TransferListItem[] = []): Promise<Result> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage(message(id), transfer);
      } catch (err) {
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Posts a message that needs no answer. */
  post(message: Message): void {
    if (!this.failure) this.worker.postMessage(message);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
