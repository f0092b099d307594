import type { ObservabilityEnv } from "@emote/config";
import type { DestinationStream } from "pino";
import type { Registry } from "prom-client";
import { createLogger, type Logger } from "./logger.ts";
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
