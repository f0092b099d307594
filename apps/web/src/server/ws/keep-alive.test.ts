import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { requirePongs } from "./keep-alive.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

class FakeSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
    this.emit("close");
  }
}

describe("requirePongs", () => {
  it("pings every pingMs and terminates a socket whose pong does not come within pongWaitMs", () => {
    const socket = new FakeSocket();
    const timedOut = vi.fn();
    requirePongs(socket, { pingMs: 1_000, pongWaitMs: 500 }, timedOut);
    vi.advanceTimersByTime(1_000);
    expect(socket.pings).toBe(1);
    socket.emit("pong");
    vi.advanceTimersByTime(1_000);
    expect(socket.pings).toBe(2);
    // Messages are not pongs.
    socket.emit("message");
    vi.advanceTimersByTime(499);
    expect(socket.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(socket.terminated).toBe(true);
    expect(timedOut).toHaveBeenCalledTimes(1);
  });

  it("ignores unsolicited pongs", () => {
    const socket = new FakeSocket();
    requirePongs(socket, { pingMs: 1_000, pongWaitMs: 500 }, () => undefined);
    vi.advanceTimersByTime(900);
    socket.emit("pong"); // before any ping: does not push the ping back
    vi.advanceTimersByTime(100);
    expect(socket.pings).toBe(1);
    socket.emit("pong");
    socket.emit("pong"); // a second one for the same ping: no extra ping scheduled
    vi.advanceTimersByTime(1_000);
    expect(socket.pings).toBe(2);
  });
});
