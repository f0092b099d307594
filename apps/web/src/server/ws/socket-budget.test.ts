import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { budgetSends, SocketBudget, type BudgetCounters } from "./socket-budget.ts";

class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  terminated = 0;
  sent: unknown[] = [];
  terminate(): void {
    this.terminated++;
  }
  send(data: unknown): void {
    this.sent.push(data);
    this.bufferedAmount += typeof data === "string" ? Buffer.byteLength(data) : 0;
  }
}

const limits = { bufferBytes: 1_000, lagMs: 2_000 };
let counters: BudgetCounters;

beforeEach(() => {
  vi.useFakeTimers();
  counters = { framesDropped: 0, disconnects: 0 };
});
afterEach(() => vi.useRealTimers());

describe("SocketBudget", () => {
  it("admits frames while the buffer, the frame included, stays within the budget", () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    socket.bufferedAmount = 600;
    expect(budget.admit(400)).toBe(true);
    expect(budget.admit(401)).toBe(false);
    expect(counters).toEqual({ framesDropped: 1, disconnects: 0 });
  });

  it("drops every frame after the first drop, even with room again, then terminates at lagMs", () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    socket.bufferedAmount = 1_000;
    expect(budget.admit(1)).toBe(false);
    socket.bufferedAmount = 0;
    expect(budget.admit(1)).toBe(false);
    vi.advanceTimersByTime(1_999);
    expect(socket.terminated).toBe(0);
    vi.advanceTimersByTime(1);
    expect(socket.terminated).toBe(1);
    expect(counters).toEqual({ framesDropped: 2, disconnects: 1 });
    // Gone: nothing admitted, nothing more counted, not terminated twice.
    expect(budget.admit(1)).toBe(false);
    budget.drained();
    vi.advanceTimersByTime(10_000);
    expect(counters).toEqual({ framesDropped: 2, disconnects: 1 });
    expect(socket.terminated).toBe(1);
  });

  it("terminates a lagging socket as soon as its buffer has drained", () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    socket.bufferedAmount = 999;
    expect(budget.admit(2)).toBe(false);
    budget.drained();
    expect(socket.terminated).toBe(1);
    expect(counters.disconnects).toBe(1);
  });

  it("a socket that closed on its own is neither counted nor terminated", () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    expect(budget.admit(2_000)).toBe(false);
    budget.closed();
    vi.advanceTimersByTime(10_000);
    expect(socket.terminated).toBe(0);
    expect(counters).toEqual({ framesDropped: 1, disconnects: 0 });
  });

  it("has room up to half the budget; waiters go on at the drain, or when the socket is gone", async () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    socket.bufferedAmount = 500;
    expect(budget.room()).toBeUndefined();
    socket.bufferedAmount = 501;
    const first = budget.room();
    const second = budget.room();
    expect(first).toBeDefined();
    expect(second).toBe(first);
    let woken = false;
    void first?.then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    socket.bufferedAmount = 0;
    budget.drained();
    await first;
    expect(woken).toBe(true);
    socket.bufferedAmount = 800;
    const third = budget.room();
    budget.closed();
    await third;
    expect(budget.room()).toBeUndefined();
    expect(counters).toEqual({ framesDropped: 0, disconnects: 0 });
  });

  it("keeps a lagging socket's writers waiting until it is terminated", async () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    expect(budget.admit(1_001)).toBe(false);
    const waiting = budget.room();
    expect(waiting).toBeDefined();
    vi.advanceTimersByTime(limits.lagMs);
    await waiting;
    expect(socket.terminated).toBe(1);
  });
});

describe("budgetSends", () => {
  it("puts every send of the socket (tRPC's included) under the budget, in bytes", () => {
    const socket = new FakeSocket();
    const budget = new SocketBudget(socket, limits, counters);
    budgetSends(socket as unknown as WebSocket, budget);
    const ws = socket as unknown as WebSocket;
    ws.send("é".repeat(400)); // 800 bytes
    ws.send("x".repeat(300)); // would be 1100
    const dropped = vi.fn();
    ws.send("y", dropped);
    expect(socket.sent).toEqual(["é".repeat(400)]);
    expect(dropped).toHaveBeenCalledWith(expect.any(Error));
    expect(counters.framesDropped).toBe(2);
  });
});
