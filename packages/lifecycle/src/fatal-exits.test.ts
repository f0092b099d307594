import { EventEmitter } from "node:events";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logFatalExits } from "./fatal-exits.ts";

describe("logFatalExits", () => {
  it("logs one fatal JSON line with the stack, then exits 1, for an uncaught exception and an unhandled rejection", () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { base: { service: "emote-test" } },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const host = Object.assign(new EventEmitter(), { codes: [] as number[] });
    logFatalExits(log, { on: (e, l) => host.on(e, l), exit: (code) => void host.codes.push(code) });

    host.emit("uncaughtException", new TypeError("Cannot read properties of null (reading 'write')"));
    host.emit("unhandledRejection", "a string");

    expect(host.codes).toEqual([1, 1]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 60,
      service: "emote-test",
      msg: "uncaught exception: Cannot read properties of null (reading 'write'); exiting",
      error: { name: "TypeError", message: "Cannot read properties of null (reading 'write')" },
    });
    expect((lines[0]?.error as { stack: string }).stack).toMatch(/^TypeError: .*\n\s+at /);
    expect(lines[1]).toMatchObject({ level: 60, msg: "unhandled rejection: a string; exiting" });
  });
});
