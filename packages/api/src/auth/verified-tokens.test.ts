import { describe, expect, it, vi } from "vitest";
import { signToken } from "./auth.ts";
import { VerifiedTokens } from "./verified-tokens.ts";

const SECRET = "a-test-secret-of-at-least-32-characters!";

describe("VerifiedTokens", () => {
  it("answers a valid token from memory after the first check, the same caller", async () => {
    const tokens = new VerifiedTokens(SECRET, {});
    const token = await signToken({ role: "viewer", sub: "alice" }, SECRET);
    const first = await tokens.callerOf(`Bearer ${token}`);
    expect(first).toMatchObject({ kind: "token", role: "viewer", sub: "alice" });
    expect(await tokens.callerOf(`Bearer ${token}`)).toBe(first);
  });

  it("checks a bad token every time, and an anonymous caller needs no check", async () => {
    const tokens = new VerifiedTokens(SECRET, {});
    const forged = await signToken(
      { role: "admin", sub: "mallory" },
      "another-secret-of-at-least-32-characters",
    );
    expect(await tokens.callerOf(forged)).toEqual({ kind: "invalid", reason: "token is not valid" });
    expect(await tokens.callerOf(forged)).toEqual({ kind: "invalid", reason: "token is not valid" });
    expect(await tokens.callerOf(undefined)).toEqual({ kind: "anonymous", role: "viewer" });
  });

  it("verifies an expired token again, so it is refused as expired", async () => {
    const tokens = new VerifiedTokens(SECRET, {});
    const token = await signToken({ role: "viewer", sub: "bob" }, SECRET, "2s");
    expect((await tokens.callerOf(token)).kind).toBe("token");
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 5_000);
      expect(await tokens.callerOf(token)).toEqual({ kind: "invalid", reason: "token expired" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("remembers at most max tokens", async () => {
    const tokens = new VerifiedTokens(SECRET, {}, 2);
    const all = await Promise.all(["a", "b", "c"].map((sub) => signToken({ role: "viewer", sub }, SECRET)));
    const callers = [];
    for (const t of all) callers.push(await tokens.callerOf(t));
    // The oldest was forgotten: verified again, a new (equal) caller.
    const again = await tokens.callerOf(all[0]);
    expect(again).toEqual(callers[0]);
    expect(again).not.toBe(callers[0]);
    expect(await tokens.callerOf(all[2])).toBe(callers[2]);
  });
});
