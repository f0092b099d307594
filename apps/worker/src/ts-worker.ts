import { Worker } from "node:worker_threads";

/**
 * A worker thread that runs the module at `moduleUrl` (its `import.meta.url`). The apps run
 * from TypeScript source, so the thread registers tsx before loading it. Unreferenced: it
 * does not keep the process alive.
 */
export function typescriptWorker(moduleUrl: string): Worker {
  const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); })`;
  const worker = new Worker(bootstrap, { eval: true });
  worker.unref();
  return worker;
}
