import { describe, expect, it } from "vitest";
import { mayWriteRawFrames, hasWsInternals, installedWsHasInternals } from "./ws-internals.ts";

describe("the ws internals the fan-out relies on", () => {
  it("are there in the installed (pinned) ws", () => {
    expect(installedWsHasInternals()).toBe(true);
  });

  it("are missing from a socket without them or with other types", () => {
    const tcp = { destroyed: false, write: () => true };
    expect(hasWsInternals({ _socket: tcp, _sender: { _state: 0, _queue: [] } })).toBe(true);
    expect(hasWsInternals({})).toBe(false);
    expect(hasWsInternals({ _socket: tcp })).toBe(false);
    expect(hasWsInternals({ _socket: tcp, _sender: { _state: "idle", _queue: [] } })).toBe(false);
    expect(hasWsInternals({ _socket: tcp, _sender: { _state: 0, _queue: new Set() } })).toBe(false);
    expect(hasWsInternals({ _socket: { write: () => true }, _sender: { _state: 0, _queue: [] } })).toBe(
      false,
    );
  });

  it("when the start-up check fails, the fan-out sends through ws.send, with one warning", () => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => void warnings.push(msg) };
    expect(mayWriteRawFrames(log, () => false)).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("sending through ws.send instead");
    expect(mayWriteRawFrames(log, () => true)).toBe(true);
    expect(warnings).toHaveLength(1);
  });
});
