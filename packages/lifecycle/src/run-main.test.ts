import { EventEmitter } from "node:events";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runMain, type MainContext, type MainHost } from "./run-main.ts";

type Line = Record<string, unknown> & { level: number; msg: string };

/** A process of its own: argv, signals and exits recorded, log lines parsed back. */
function fakeProcess(argv: string[] = []) {
  const lines: Line[] = [];
  const log = pino(
    { base: { service: "test" } },
    { write: (l: string) => void lines.push(JSON.parse(l) as Line) },
  );
  const emitter = new EventEmitter();
  const out = { stdout: "", stderr: "" };
  const exits: number[] = [];
  const host: MainHost = {
    argv: ["node", "main.ts", ...argv],
    on: (event, listener) => emitter.on(event, listener),
    exit: (code) => void exits.push(code),
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
  };
  const run = (main: (ctx: MainContext) => Promise<number>, extra: { help?: string } = {}) =>
    runMain(
      {
        name: "test",
        fallbackLogger: () => log,
        isUsageError: (err): err is Error => err instanceof RangeError,
        host,
        ...extra,
      },
      main,
    );
  return {
    lines,
    log,
    host,
    out,
    exits,
    run,
    /** False when nothing handles it: Node's default would end the process. */
    signal: (s: "SIGINT" | "SIGTERM") => emitter.emit(s, s),
    crash: (err: unknown) => emitter.emit("uncaughtException", err),
  };
}

/** A run like the generator's: it ends when told to, and counts what is in flight. */
function setup(timeoutMs = 10_000) {
  const p = fakeProcess();
  let aborted = 0;
  let pending = 0;
  let finish: (code: number) => void = () => undefined;
  const exited = p.run(async (ctx) => {
    ctx.useLogger(p.log);
    const { signal } = ctx.stopOn({
      doing: "sending what is pending, then stopping",
      timeoutMs,
      pending: { count: () => pending, what: "pending emotes" },
    });
    signal.addEventListener("abort", () => aborted++);
    return new Promise<number>((resolve) => (finish = resolve));
  });
  return {
    ...p,
    exited,
    finish: (code: number) => finish(code),
    aborted: () => aborted,
    setPending: (n: number) => (pending = n),
  };
}

describe("runMain's stop of a run that ends on its own", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("on the first signal logs and aborts; a run that ends in time exits as it likes", async () => {
    const s = setup();
    s.setPending(120);
    s.signal("SIGTERM");
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
    await vi.advanceTimersByTimeAsync(9_999);
    s.finish(3);
    expect(await s.exited).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.exits).toEqual([3]);
  });

  it("past the bound logs how many pending emotes it abandons and exits 1", async () => {
    const s = setup(2_000);
    s.setPending(4_000);
    s.signal("SIGINT");
    s.setPending(1_500); // some were acknowledged meanwhile
    await vi.advanceTimersByTimeAsync(2_000);
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
    s.signal("SIGINT");
    s.signal("SIGINT");
    expect(s.exits).toEqual([130]);
    expect(s.aborted()).toBe(1);
    expect(s.lines.at(-1)).toMatchObject({ level: 40, msg: "SIGINT again: exiting at once" });
  });
});

describe("runMain's stop of a service", () => {
  it("stops once, logs, and exits 0 after a clean stop", async () => {
    const p = fakeProcess();
    let stops = 0;
    const exited = p.run(async (ctx) => {
      await ctx.stopOn({ doing: "draining", timeoutMs: 1_000 }).requested;
      stops++;
      return 0;
    });
    p.signal("SIGTERM");
    p.signal("SIGINT");
    expect(await exited).toBe(0);
    expect(stops).toBe(1);
    expect(p.lines.map((l) => l.msg)).toEqual(["SIGTERM: draining", "stopped cleanly"]);
  });

  it("exits 1 when stopping fails or takes too long", async () => {
    const failing = fakeProcess();
    const failed = failing.run(async (ctx) => {
      await ctx.stopOn({ doing: "x", timeoutMs: 1_000 }).requested;
      throw new Error("boom");
    });
    failing.signal("SIGINT");
    expect(await failed).toBe(1);
    expect(failing.lines.at(-1)).toMatchObject({ level: 60, msg: "error while stopping: boom" });

    const hanging = fakeProcess();
    const slow = hanging.run(async (ctx) => {
      await ctx.stopOn({ doing: "x", timeoutMs: 20 }).requested;
      return new Promise<number>(() => undefined);
    });
    hanging.signal("SIGINT");
    expect(await slow).toBe(1);
    expect(hanging.lines.at(-1)?.msg).toBe("stopping took longer than 20 ms; exiting without a clean close");
  });

  it("leaves signals to Node until the entry point says how it stops", async () => {
    const p = fakeProcess();
    let stopOn: () => void = () => undefined;
    const exited = p.run(async (ctx) => {
      await new Promise<void>((resolve) => (stopOn = resolve));
      await ctx.stopOn({ doing: "draining", timeoutMs: 1_000 }).requested;
      return 0;
    });
    expect(p.signal("SIGTERM")).toBe(false);
    stopOn();
    await new Promise((resolve) => setImmediate(resolve));
    expect(p.signal("SIGTERM")).toBe(true);
    expect(await exited).toBe(0);
  });
});

describe("runMain's start and exit", () => {
  it("prints the help and exits 0 without running main", async () => {
    const p = fakeProcess(["--help"]);
    let ran = false;
    const code = await p.run(async () => ((ran = true), 0), { help: "Usage: test" });
    expect(code).toBe(0);
    expect(ran).toBe(false);
    expect(p.out.stdout).toBe("Usage: test\n");
  });

  it("a failed start is one fatal line through the fallback logger, then the exit tasks, exit 1", async () => {
    const p = fakeProcess();
    const order: string[] = [];
    const code = await p.run(async (ctx) => {
      ctx.atExit(async () => void order.push(`flushed after ${p.lines.length} line`));
      throw new Error("Invalid configuration:\n  PORT: expected number");
    });
    expect(code).toBe(1);
    expect(p.exits).toEqual([1]);
    expect(p.lines).toMatchObject([
      { level: 60, service: "test", msg: "cannot start: Invalid configuration:\n  PORT: expected number" },
    ]);
    expect(order).toEqual(["flushed after 1 line"]);
  });

  it("a usage error is one line on stderr and exit 2", async () => {
    const p = fakeProcess();
    const code = await p.run(() => Promise.reject(new RangeError("--rate: must be a number")));
    expect(code).toBe(2);
    expect(p.out.stderr).toBe("test: --rate: must be a number\n");
    expect(p.lines).toEqual([]);
  });

  it("an exception escaping every handler is one fatal line through the logger in use, exit 1", async () => {
    const p = fakeProcess();
    const other = fakeProcess();
    void p.run(async (ctx) => {
      ctx.useLogger(other.log);
      return new Promise<number>(() => undefined);
    });
    p.crash(new TypeError("x is not a function"));
    expect(p.exits).toEqual([1]);
    expect(p.lines).toEqual([]);
    expect(other.lines).toMatchObject([
      { level: 60, msg: "uncaught exception: x is not a function; exiting" },
    ]);
  });
});
