import { describe, expect, it } from "vitest";
import { connectionStatus } from "./connection-status.ts";

describe("connectionStatus", () => {
  it("is connecting until the socket first opens", () => {
    expect(connectionStatus({ state: "idle", error: null }, false)).toBe("connecting");
    expect(connectionStatus({ state: "connecting", error: null }, false)).toBe("connecting");
    expect(connectionStatus({ state: "connecting", error: { message: "refused" } }, false)).toBe(
      "connecting",
    );
  });

  it("is live while the socket is open (tRPC calls it pending)", () => {
    expect(connectionStatus({ state: "pending", error: null }, false)).toBe("live");
    expect(connectionStatus({ state: "pending", error: null }, true)).toBe("live");
  });

  it("is reconnecting once a socket that was live has dropped", () => {
    expect(connectionStatus({ state: "connecting", error: { message: "closed" } }, true)).toBe(
      "reconnecting",
    );
    expect(connectionStatus({ state: "idle", error: null }, true)).toBe("reconnecting");
  });
});
