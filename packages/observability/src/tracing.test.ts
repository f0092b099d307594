import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startOtlpCollector } from "@emote/testkit";
import { parseTraceparent } from "./trace-context.ts";
import { startTracing } from "./tracing.ts";

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("startTracing", () => {
  it("without an endpoint passes the parent context through, or makes a root one", async () => {
    const tracing = startTracing({ service: "test" });
    expect(tracing.exporting).toBe(false);
    expect(tracing.startSpan("x", { parent: PARENT }).traceparent).toBe(PARENT);
    expect(parseTraceparent(tracing.startSpan("x").traceparent)).toBeDefined();
    await tracing.shutdown();
  });

  it("gives up flushing to an unreachable collector after 2 s", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const tracing = startTracing({ service: "emote-test", endpoint });
      tracing.startSpan("x").end();
      const started = performance.now();
      await expect(tracing.shutdown()).rejects.toThrow("spans not exported within 2000 ms");
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("with an endpoint exports a child span of the parent over OTLP/HTTP", async () => {
    const collector = await startOtlpCollector();
    try {
      const tracing = startTracing({ service: "emote-test", endpoint: collector.endpoint });
      const span = tracing.startSpan("moment detected", { parent: PARENT });
      const child = parseTraceparent(span.traceparent);
      expect(child?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
      expect(child?.spanId).not.toBe("00f067aa0ba902b7");
      span.end();
      await tracing.shutdown();
      expect(collector.requests).toHaveLength(1);
      const [{ path, body }] = collector.requests as [{ path: string; body: string }];
      expect(path).toBe("/v1/traces");
      expect(body).toContain("4bf92f3577b34da6a3ce929d0e0e4736");
      expect(body).toContain("moment detected");
      expect(body).toContain("emote-test");
    } finally {
      await collector.close();
    }
  });
});
