import { describe, expect, it } from "vitest";
import { stopOnSignals } from "./index.ts";

describe("stopOnSignals", () => {
  it("stops once, logs, and exits 0 after a clean stop", async () => {
    const lines: string[] = [];
    let stops = 0;
    const exited = new Promise<number>((resolve) => {
      const shutdown = stopOnSignals({
        stop: async () => void stops++,
        log: (l) => lines.push(l),
        doing: "draining",
        timeoutMs: 1_000,
        exit: resolve,
      });
      shutdown("SIGTERM");
      shutdown("SIGINT");
    });
    expect(await exited).toBe(0);
    expect(stops).toBe(1);
    expect(lines).toEqual(["SIGTERM: draining", "stopped cleanly"]);
  });

  it("exits 1 when stopping fails or takes too long", async () => {
    const failed = await new Promise<number>((resolve) =>
      stopOnSignals({
        stop: () => Promise.reject(new Error("boom")),
        log: () => undefined,
        doing: "x",
        timeoutMs: 1_000,
        exit: resolve,
      })("SIGINT"),
    );
    expect(failed).toBe(1);
    const lines: string[] = [];
    const slow = await new Promise<number>((resolve) =>
      stopOnSignals({
        stop: () => new Promise(() => undefined),
        log: (l) => lines.push(l),
        doing: "x",
        timeoutMs: 20,
        exit: resolve,
      })("SIGINT"),
    );
    expect(slow).toBe(1);
    expect(lines.at(-1)).toBe("stopping took longer than 20 ms; exiting without a clean close");
  });
});
