import type { BatchControl } from "@emote/bus";
import { errorMessage, type Logger } from "@emote/observability";
import type { ProgressStore } from "./progress-store.ts";
import type { WorkerMetrics } from "./worker-metrics.ts";

/** Pauses between tries of a store call while the store is unreachable. */
const STORE_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000];
/** How often a pending store call heartbeats (kafkajs sends at most one per heartbeatInterval). */
const HEARTBEAT_EVERY_MS = 1_000;

export interface StoreRetryDeps {
  store: Pick<ProgressStore, "isUnavailable">;
  log: Logger;
  metrics: Pick<WorkerMetrics, "databaseRetries">;
}

/**
 * Runs a store call again while the store is unreachable and the batch is still this
 * worker's, heartbeating between tries: a database outage then keeps the worker in its
 * group (and /readyz names PostgreSQL alone) instead of crashing the consumer into a
 * rebalance. Each call can be repeated: reads, and a commit that writes the same rows
 * and checkpoint again if an earlier try did land.
 */
export async function untilStored<T>(
  { store, log, metrics }: StoreRetryDeps,
  control: BatchControl,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await heartbeating(control, call);
      if (attempt > 0) log.info({ retries: attempt }, "database reachable again");
      return result;
    } catch (err) {
      if (!store.isUnavailable(err) || !control.shouldContinue()) throw err;
      if (attempt === 0) {
        log.warn({ err: errorMessage(err) }, "database unreachable: retrying until it answers");
      }
      metrics.databaseRetries.inc();
      await pause(control, STORE_RETRY_DELAYS_MS[Math.min(attempt, STORE_RETRY_DELAYS_MS.length - 1)] ?? 0);
      if (!control.shouldContinue()) throw err;
      await control.heartbeat();
    }
  }
}

/**
 * Runs `call`, heartbeating meanwhile: a call to an unreachable database can last the
 * driver's connect timeout (10 s), longer than a short session timeout. When the call
 * fails and a heartbeat said the group is rebalancing, that is the error: the batch is
 * no longer this worker's to retry.
 */
async function heartbeating<T>(control: BatchControl, call: () => Promise<T>): Promise<T> {
  let rebalanced: { error: unknown } | undefined;
  const timer = setInterval(() => {
    control.heartbeat().catch((error: unknown) => (rebalanced ??= { error }));
  }, HEARTBEAT_EVERY_MS);
  try {
    return await call();
  } catch (err) {
    throw rebalanced ? rebalanced.error : err;
  } finally {
    clearInterval(timer);
  }
}

/** Waits `ms`, or less once the batch is no longer this worker's (a stop, a rebalance). */
async function pause(control: BatchControl, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (control.shouldContinue() && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - performance.now())));
  }
}
