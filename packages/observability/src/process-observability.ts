import type { ObservabilityEnv } from "@emote/config";
import type { DestinationStream } from "pino";
import type { Registry } from "prom-client";
import { createLogger, errorMessage, type Logger } from "./logger.ts";
import { createRegistry } from "./metrics.ts";
import { Readiness } from "./readiness.ts";
import { startTracing, type Tracing } from "./tracing.ts";

/**
 * What a process reports through: its logger, its metrics registry, its readiness checks
 * and its tracer. One per process; the embedded mode's components share one.
 */
export interface Observability {
  log: Logger;
  registry: Registry;
  readiness: Readiness;
  tracing: Tracing;
}

/**
 * Flushes the spans still buffered, at a stop. Returns false when they could not be
 * exported (logged as a warning): spans lost are not a failed stop.
 */
export async function flushTraces({
  tracing,
  log,
}: Pick<Observability, "tracing" | "log">): Promise<boolean> {
  try {
    await tracing.shutdown();
    return true;
  } catch (err) {
    log.warn(errorMessage(err));
    return false;
  }
}

/** `destination`: where log lines go instead of stdout (tests read them back). */
export function createObservability(
  service: string,
  env: ObservabilityEnv,
  destination?: DestinationStream,
): Observability {
  const registry = createRegistry();
  return {
    log: createLogger({ service, env, ...(destination && { destination }) }),
    registry,
    readiness: new Readiness(registry),
    tracing: startTracing({ service, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT }),
  };
}
