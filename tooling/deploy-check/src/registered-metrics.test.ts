import { describe, expect, it } from "vitest";
import { createGeneratorMetrics } from "@emote/generator/metrics";
import { createLogger, Readiness, Registry } from "@emote/observability";
import { TrendingMetrics } from "@emote/trending/metrics";
import { createWebMetrics } from "@emote/web/metrics";
import { WorkerMetrics } from "@emote/worker/metrics";
import { EMOTE_METRICS } from "./known-metrics.ts";

describe("the metric list deploy/ is checked against", () => {
  it("is exactly what the processes register", () => {
    // One registry, as in the embedded mode: all four components and the readiness gauges.
    const registry = new Registry();
    createGeneratorMetrics(registry);
    new WorkerMetrics(registry, createLogger({ service: "test", env: { LOG_LEVEL: "silent" } }));
    createWebMetrics(registry);
    new TrendingMetrics(registry, () => ({ streamerMinutes: 0, mergeEntries: 0 }));
    new Readiness(registry);
    const registered = Object.fromEntries(
      registry.getMetricsAsArray().map((m) => [m.name, (m as unknown as { type: string }).type]),
    );
    expect(registered).toEqual(EMOTE_METRICS);
  });
});
