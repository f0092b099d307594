import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "@emote/observability";
import { gracefulStop } from "./shutdown.ts";

function setup(timeoutMs = 10_000) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: "test",
    env: { LOG_LEVEL: "info" },
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const exits: number[] = [];
  let aborted = 0;
  let pending = 0;
  const stop = gracefulStop({
    abort: () => aborted++,
    timeoutMs,
    pending: () => pending,
    log,
    exit: (code) => exits.push(code),
  });
  return {
    stop,
    lines,
    exits,
    aborted: () => aborted,
    setPending: (n: number) => (pending = n),
  };
}

describe("gracefulStop", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("on the first signal logs and aborts; a run that ends in time exits as it likes", () => {
    const s = setup();
    s.setPending(120);
    s.stop.onSignal("SIGTERM");
    expect(s.aborted()).toBe(1);
    expect(s.lines).toMatchObject([
      {
        level: 30,
        signal: "SIGTERM",
        timeoutMs: 10_000,
        pending: 120,
        msg: "SIGTERM: sending what is pending, then stopping",
      },
    ]);
    vi.advanceTimersByTime(9_999);
    s.stop.done();
    vi.advanceTimersByTime(60_000);
    expect(s.exits).toEqual([]);
  });

  it("past the bound logs how many pending emotes it abandons and exits 1", () => {
    const s = setup(2_000);
    s.setPending(4_000);
    s.stop.onSignal("SIGINT");
    s.setPending(1_500); // some were acknowledged meanwhile
    vi.advanceTimersByTime(2_000);
    expect(s.exits).toEqual([1]);
    expect(s.lines.at(-1)).toMatchObject({
      level: 50,
      abandoned: 1_500,
      timeoutMs: 2_000,
      msg: "stopping took longer than 2000 ms: 1500 pending emotes abandoned",
    });
  });

  it("exits at once with 130 on a second signal", () => {
    const s = setup();
    s.stop.onSignal("SIGINT");
    s.stop.onSignal("SIGINT");
    expect(s.exits).toEqual([130]);
    expect(s.aborted()).toBe(1);
    expect(s.lines.at(-1)).toMatchObject({ level: 40, msg: "SIGINT again: exiting at once" });
  });
});
