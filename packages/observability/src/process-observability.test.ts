import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { flushTraces } from "./process-observability.ts";
import { startTracing, type Tracing } from "./tracing.ts";

describe("flushTraces", () => {
  it("is true once the spans are flushed, and false with a warning (not a throw) when they cannot be", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({
      service: "emote-test",
      env: { LOG_LEVEL: "info", LOG_FORMAT: "json" },
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    expect(await flushTraces({ tracing: startTracing({ service: "emote-test" }), log })).toBe(true);
    expect(lines).toEqual([]);

    const unexportable: Tracing = {
      ...startTracing({ service: "emote-test" }),
      shutdown: () => Promise.reject(new Error("spans not exported within 2000 ms; dropped")),
    };
    expect(await flushTraces({ tracing: unexportable, log })).toBe(false);
    expect(lines).toMatchObject([{ level: 40, msg: "spans not exported within 2000 ms; dropped" }]);
  });
});
