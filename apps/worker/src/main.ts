import { runService } from "@emote/observability";
import { HELP, readWorkerEnv } from "./env.ts";
import { runUntilStopped, startWorker } from "./worker.ts";

const PROGRESS_MS = 10_000;

void runService({ service: "emote-worker", help: HELP, readEnv: readWorkerEnv }, async (env, obs, ctx) => {
  const worker = await startWorker(env, obs);

  let last = "";
  const progress = setInterval(() => {
    void worker.metrics.totals().then((t) => {
      const { consumed, analyses, moments, deadLettered } = t;
      const line = `${consumed} ${analyses} ${moments} ${deadLettered}`;
      if (line !== last) obs.log.info({ consumed, analyses, moments, deadLettered }, "progress");
      last = line;
    });
  }, PROGRESS_MS);

  const stopping = ctx.stopOn({
    doing: "draining the batch in flight and committing…",
    timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
  const code = await runUntilStopped(worker, {
    requested: stopping.requested,
    log: obs.log,
    graceMs: env.WORKER_STOPPED_EXIT_MS,
    stopTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
  clearInterval(progress);
  return code;
});
