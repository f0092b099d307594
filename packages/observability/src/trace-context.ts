import { randomFillSync } from "node:crypto";

/** The parts of a W3C `traceparent` (version 00): `00-<trace id>-<parent span id>-<flags>`. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

/** Header name on Kafka records and HTTP requests, as the W3C spec spells it. */
export const TRACEPARENT = "traceparent";

const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

export function parseTraceparent(value: unknown): TraceContext | undefined {
  const text = Buffer.isBuffer(value) ? value.toString("latin1") : value;
  if (typeof text !== "string") return undefined;
  const m = TRACEPARENT_RE.exec(text);
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined;
  return { traceId: m[1] as string, spanId: m[2] as string, flags: m[3] as string };
}

export function formatTraceparent(c: TraceContext): string {
  return `00-${c.traceId}-${c.spanId}-${c.flags}`;
}

/** A valid traceparent from a record's headers (a repeated header: the first), else undefined. */
export function traceparentFromHeaders(headers: Record<string, unknown> | undefined): string | undefined {
  const raw = headers?.[TRACEPARENT];
  if (raw === undefined) return undefined;
  const first: unknown = Array.isArray(raw) ? raw[0] : raw;
  const text = Buffer.isBuffer(first) ? first.toString("latin1") : first;
  // A valid one is already in its canonical form: no need to take it apart.
  return typeof text === "string" && isTraceparent(text) ? text : undefined;
}

export function isTraceparent(text: string): boolean {
  const m = TRACEPARENT_RE.exec(text);
  return m !== null && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN;
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

const POOL_IDS = 4096;

/**
 * Random W3C ids without a tracing SDK: one emote each, at hundreds of thousands a second,
 * so the random bytes are drawn a pool at a time.
 */
export class TraceIdSource {
  private readonly pool = Buffer.allocUnsafe(POOL_IDS * 24);
  private next = POOL_IDS;

  /** A new root context (new trace id), flagged sampled so downstream SDKs may record it. */
  traceparent(): string {
    const at = this.take();
    return `00-${this.hex(at, 16)}-${this.hex(at + 16, 8)}-01`;
  }

  /** A new span id for a child of an existing trace. */
  spanId(): string {
    return this.hex(this.take() + 16, 8);
  }

  private take(): number {
    if (this.next === POOL_IDS) {
      randomFillSync(this.pool);
      this.next = 0;
    }
    return this.next++ * 24;
  }

  private hex(at: number, length: number): string {
    const id = this.pool.toString("hex", at, at + length);
    // All-zero ids are invalid; one in 2^64 draws, so a fixed replacement is enough.
    return /^0+$/.test(id) ? "1".padStart(length * 2, "0") : id;
  }
}
