import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { withDeadline } from "@emote/lifecycle";
import { formatTraceparent, parseTraceparent, TraceIdSource } from "./trace-context.ts";

export { SpanKind };

export interface SpanHandle {
  /** This span's context as a W3C traceparent: what goes into the next hop's headers. */
  traceparent: string;
  end(): void;
}

export interface Tracing {
  /** True when spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT set). */
  readonly exporting: boolean;
  /**
   * Starts a span, the child of `parent` when that is a valid traceparent. Without an
   * exporter nothing is recorded: the parent's context passes through unchanged, or a
   * new root context is made, so the trace id still travels and shows in the logs.
   */
  startSpan(name: string, opts?: { parent?: string; kind?: SpanKind; attributes?: Attributes }): SpanHandle;
  /** Flushes the spans still buffered; rejects after 2 s (an unreachable collector). */
  shutdown(): Promise<void>;
}

const NOOP_END = () => undefined;

export function startTracing({ service, endpoint }: { service: string; endpoint?: string }): Tracing {
  const ids = new TraceIdSource();
  if (!endpoint) {
    return {
      exporting: false,
      startSpan: (_name, opts) => {
        const parent = parseTraceparent(opts?.parent);
        return { traceparent: parent ? formatTraceparent(parent) : ids.traceparent(), end: NOOP_END };
      },
      shutdown: async () => undefined,
    };
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: new URL("v1/traces", withSlash(endpoint)).href })),
    ],
  });
  // Not registered globally: the embedded mode runs several services in one process.
  const tracer: Tracer = provider.getTracer("emote-pulse");
  return {
    exporting: true,
    startSpan: (name, opts) => {
      const parent = parseTraceparent(opts?.parent);
      const ctx = parent
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId,
            spanId: parent.spanId,
            traceFlags: parseInt(parent.flags, 16),
            isRemote: true,
          })
        : ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: opts?.kind, attributes: opts?.attributes }, ctx);
      const sc = span.spanContext();
      return {
        traceparent: formatTraceparent({
          traceId: sc.traceId,
          spanId: sc.spanId,
          flags: sc.traceFlags.toString(16).padStart(2, "0"),
        }),
        end: () => span.end(),
      };
    },
    shutdown: () =>
      withDeadline(provider.shutdown(), FLUSH_MS, `spans not exported within ${FLUSH_MS} ms; dropped`),
  };
}

/** The OTLP exporter waits ~10 s for an unreachable collector; a stopping process won't. */
const FLUSH_MS = 2_000;

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
