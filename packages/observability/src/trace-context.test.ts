import { describe, expect, it } from "vitest";
import {
  formatTraceparent,
  parseTraceparent,
  TraceIdSource,
  traceIdOf,
  traceparentFromHeaders,
} from "./trace-context.ts";

const TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceparent", () => {
  it("parses and formats the W3C example", () => {
    expect(parseTraceparent(TP)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: "01",
    });
    expect(formatTraceparent(parseTraceparent(TP)!)).toBe(TP);
    expect(parseTraceparent(Buffer.from(TP))?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("rejects malformed and all-zero ids", () => {
    for (const bad of [
      "",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`,
      42,
      undefined,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it("reads the first valid header of a record, as Buffer or string", () => {
    expect(traceparentFromHeaders({ traceparent: Buffer.from(TP) })).toBe(TP);
    expect(traceparentFromHeaders({ traceparent: [TP, "junk"] })).toBe(TP);
    expect(traceparentFromHeaders({ traceparent: "junk" })).toBeUndefined();
    expect(traceparentFromHeaders(undefined)).toBeUndefined();
    expect(traceIdOf(TP)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("makes distinct valid root contexts across pool refills", () => {
    const ids = new TraceIdSource();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const tp = ids.traceparent();
      expect(parseTraceparent(tp)?.flags).toBe("01");
      seen.add(traceIdOf(tp)!);
    }
    expect(seen.size).toBe(10_000);
    expect(ids.spanId()).toMatch(/^[0-9a-f]{16}$/);
  });
});
