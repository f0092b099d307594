import { performance } from "node:perf_hooks";
import type { BusProducer } from "@emote/bus";
import { errorMessage } from "@emote/observability";

/** A send unanswered this long means the broker is away (the producer retries without end). */
export const DEFAULT_STALL_MS = 10_000;

export interface ProducerHealth {
  /** Wraps the connected producer: from now on its sends and its disconnect are watched. */
  watch(producer: BusProducer): BusProducer;
  /** For the readiness check: resolves while the producer is connected and being answered. */
  check(): Promise<void>;
}

/**
 * The producer's state for /readyz: not ready before it connects, after it disconnects or a
 * send failed, and while a send has waited for its acknowledgement longer than `stallMs`.
 */
export function producerHealth(opts: { stallMs?: number; now?: () => number } = {}): ProducerHealth {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const now = opts.now ?? (() => performance.now());
  let state: { kind: "connecting" | "connected" | "disconnected" } | { kind: "failed"; error: string } = {
    kind: "connecting",
  };
  // Sends go one at a time; when several overlap, the oldest one counts.
  const inFlight = new Set<number>();

  return {
    watch(producer) {
      state = { kind: "connected" };
      return {
        async send(batches) {
          const started = now();
          inFlight.add(started);
          try {
            await producer.send(batches);
          } catch (err) {
            state = { kind: "failed", error: errorMessage(err) };
            throw err;
          } finally {
            inFlight.delete(started);
          }
        },
        async disconnect() {
          state = { kind: "disconnected" };
          await producer.disconnect();
        },
      };
    },
    async check() {
      switch (state.kind) {
        case "connecting":
          throw new Error("not connected yet");
        case "disconnected":
          throw new Error("disconnected");
        case "failed":
          throw new Error(`a send failed: ${state.error}`);
      }
      let oldest = Number.POSITIVE_INFINITY;
      for (const at of inFlight) oldest = Math.min(oldest, at);
      const waited = now() - oldest;
      if (waited > stallMs) throw new Error(`no acknowledgement for ${Math.round(waited / 1000)} s`);
    },
  };
}
