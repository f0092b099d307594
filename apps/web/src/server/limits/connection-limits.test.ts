import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  closeWhenIdle,
  ConnectionsPerAddress,
  IDLE_CLOSE_CODE,
  SubscriptionSlots,
} from "./connection-limits.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

class FakeSocket extends EventEmitter {
  closedWith: [number, string] | undefined;
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
