import { describe, expect, it } from "vitest";
import { HistoryAllowance } from "./history-allowance.ts";

describe("HistoryAllowance", () => {
  it("for an HTTP batch: takes limits until their sum would pass max, and gives nothing back", () => {
    const batch = new HistoryAllowance(1_000, false);
    expect(batch.take(500)).toBe(true);
    batch.done(500);
    expect(batch.take(500)).toBe(true);
    expect(batch.take(1)).toBe(false);
  });

  it("for a WebSocket: a call's share comes back when it ends", () => {
    const socket = new HistoryAllowance(1_000, true);
    expect(socket.take(600)).toBe(true);
    expect(socket.take(500)).toBe(false);
    socket.done(600);
    expect(socket.take(1_000)).toBe(true);
  });
});
