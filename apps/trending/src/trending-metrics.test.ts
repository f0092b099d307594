import type { TrendingBoard } from "@emote/contracts";
import { Registry } from "@emote/observability";
import { describe, expect, it } from "vitest";
import { TrendingMetrics } from "./trending-metrics.ts";

async function value(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe("TrendingMetrics", () => {
  it("says each step's lag behind its newest input, what it holds and the last board's platform intensity", async () => {
    const registry = new Registry();
    const m = new TrendingMetrics(
      registry,
      () => ({ streamerMinutes: 7, mergeEntries: 3 }),
      () => 10_500,
    );
    m.committed("partials", 10_000, 0.004);
    m.committed("merge", 9_000, 0.02);
    // A timer's board has no input: the lag stays what the last batch said.
    m.committed("merge", 0, 0.01);
    const board = {
      intensity: [
        { bucketStart: "2026-12-06T20:00:00.000Z", emotes: 40, viewers: 12 },
        { bucketStart: "2026-12-06T20:00:10.000Z", emotes: 3, viewers: 2 },
      ],
    } as TrendingBoard;
    m.published(board);
    expect(await value(registry, "emote_trending_lag_seconds", { step: "partials" })).toBe(0.5);
    expect(await value(registry, "emote_trending_lag_seconds", { step: "merge" })).toBe(1.5);
    expect(await value(registry, "emote_trending_held_entries", { kind: "streamer_minutes" })).toBe(7);
    expect(await value(registry, "emote_trending_held_entries", { kind: "merge" })).toBe(3);
    expect(await value(registry, "emote_trending_platform_emotes")).toBe(40);
    expect(await value(registry, "emote_trending_platform_viewers")).toBe(12);
    expect(await value(registry, "emote_trending_boards_published_total")).toBe(1);
    const writes = await registry.getSingleMetric("emote_trending_state_write_duration_seconds")?.get();
    const count = (step: string) =>
      writes?.values.find(
        (v) => "metricName" in v && String(v.metricName).endsWith("_count") && v.labels.step === step,
      )?.value;
    expect([count("partials"), count("merge")]).toEqual([1, 2]);
  });
});
