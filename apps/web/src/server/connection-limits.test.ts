import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  closeWhenIdle,
  ConnectionsPerAddress,
  IDLE_CLOSE_CODE,
  SubscriptionSlots,
} from "./connection-limits.ts";
import { requirePongs } from "./keep-alive.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

class FakeSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  closedWith: [number, string] | undefined;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
    this.emit("close");
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.emit("close");
  }
}

describe("ConnectionsPerAddress", () => {
  it("refuses an address past its cap until one of its connections is given back", () => {
    const caps = new ConnectionsPerAddress(2);
    const a1 = caps.acquire("a");
    const a2 = caps.acquire("a");
    expect(a1 && a2).toBeDefined();
    expect(caps.acquire("a")).toBeUndefined();
    expect(caps.acquire("b")).toBeDefined();
    a1?.();
    a1?.(); // twice: given back once
    expect(caps.acquire("a")).toBeDefined();
    expect(caps.acquire("a")).toBeUndefined();
  });

  it("forgets an address once it has nothing open", () => {
    const caps = new ConnectionsPerAddress(1);
    caps.acquire("a")?.();
    expect(caps.addresses).toBe(0);
  });
});

describe("SubscriptionSlots", () => {
  it("hands out at most max slots and says when the last one comes back", () => {
    const idle = vi.fn();
    const slots = new SubscriptionSlots(2, idle);
    const one = slots.open();
    const two = slots.open();
    expect(slots.open()).toBeUndefined();
    one?.();
    one?.();
    expect(slots.active).toBe(1);
    expect(idle).not.toHaveBeenCalled();
    two?.();
    expect(idle).toHaveBeenCalledTimes(1);
    expect(slots.open()).toBeDefined();
  });
});

describe("closeWhenIdle", () => {
  it("closes a connection that holds no subscription and sends nothing for idleMs", () => {
    const socket = new FakeSocket();
    let busy = false;
    const onIdle = vi.fn();
    const restart = closeWhenIdle(socket, 1_000, () => busy, onIdle);
    vi.advanceTimersByTime(600);
    socket.emit("message");
    vi.advanceTimersByTime(600);
    expect(socket.closedWith).toBeUndefined();
    busy = true;
    vi.advanceTimersByTime(10_000);
    expect(socket.closedWith).toBeUndefined();
    busy = false;
    restart();
    vi.advanceTimersByTime(999);
    expect(socket.closedWith).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(socket.closedWith).toEqual([IDLE_CLOSE_CODE, "idle"]);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});

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
