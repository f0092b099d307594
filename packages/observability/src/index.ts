export {
  createFallbackLogger,
  createLogger,
  errorMessage,
  type Logger,
  type LoggerOptions,
} from "./logger.ts";
export type { LogEnv } from "./env.ts";
export { kafkaLogCreator, kafkaLogging } from "./kafka-logs.ts";
export { Counter, Gauge, Histogram, Registry, createRegistry } from "./metrics.ts";
export { Readiness, type CheckResult, type DependencyCheck, type ReadinessReport } from "./readiness.ts";
export { handleProbe, startProbeServer, type ProbeServer, type Probes } from "./probe-server.ts";
export {
  TRACEPARENT,
  TraceIdSource,
  formatTraceparent,
  isTraceparent,
  parseTraceparent,
  traceIdOf,
  traceparentFromHeaders,
  type TraceContext,
} from "./trace-context.ts";
export { SpanKind, startTracing, type SpanHandle, type Tracing } from "./tracing.ts";
export { createObservability, flushTraces, type Observability } from "./process-observability.ts";
export { runService, type ServiceSpec } from "./run-service.ts";
