import type { Moment } from "@emote/contracts";
import { SpanKind, type SpanHandle, type Tracing } from "@emote/observability";

/**
 * Gives each moment with a trace context a "moment detected" span (a child of its first
 * emote's context) and that span's traceparent; the caller ends the spans once Kafka
 * acknowledged the records that carry them.
 */
export function traceMoments(tracing: Tracing, moments: Moment[], spans: SpanHandle[]): void {
  // Not exporting: the emote's context passes through unchanged, no span to make.
  if (!tracing.exporting) return;
  for (const m of moments) {
    if (m.traceparent === undefined) continue;
    const span = tracing.startSpan("moment detected", {
      parent: m.traceparent,
      kind: SpanKind.PRODUCER,
      attributes: { "emote.streamer_id": m.streamerId, "emote.moment_id": m.id, "emote.emote": m.emote },
    });
    spans.push(span);
    m.traceparent = span.traceparent;
  }
}
