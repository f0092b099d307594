import { SignJWT, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { authenticate, canEditSettings, signToken, type Caller } from "./auth.ts";

const secret = "x".repeat(32);
const now = () => Math.floor(Date.now() / 1000);

/** A token built by hand, to say exactly which claims it has. */
function raw(payload: JWTPayload, key = secret): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(key));
}

describe("authenticate", () => {
  it("treats a caller without a token as a viewer", async () => {
    expect(await authenticate(undefined, secret)).toEqual({ kind: "anonymous", role: "viewer" });
  });

  it("accepts a token it signed, with or without the Bearer prefix, subject and expiry included", async () => {
    const token = await signToken({ role: "streamer", streamerId: "s1", sub: "alice" }, secret);
    expect(await authenticate(`Bearer ${token}`, secret)).toEqual({
      kind: "token",
      role: "streamer",
      streamerId: "s1",
      sub: "alice",
      expiresAt: expect.any(Number),
    });
    const caller = await authenticate(token, secret);
    expect(caller).toMatchObject({ kind: "token", role: "streamer" });
    expect((caller as { expiresAt: number }).expiresAt).toBeGreaterThan(Date.now() + 11 * 3_600_000);
  });

  it.each<[string, JWTPayload, string]>([
    ["no exp", { role: "admin", sub: "a", iat: now() }, "token has no exp claim"],
    ["no sub", { role: "admin", iat: now(), exp: now() + 60 }, "token has no sub claim"],
    [
      "a lifetime over the maximum",
      { role: "admin", sub: "a", iat: now(), exp: now() + 90_000 },
      "token lives longer than 86400 s",
    ],
    [
      "no iat and an exp too far ahead",
      { role: "admin", sub: "a", exp: now() + 90_000 },
      "token lives longer than 86400 s",
    ],
    [
      "an iat 30 days ahead and an exp an hour after it",
      { role: "admin", sub: "a", iat: now() + 30 * 86_400, exp: now() + 30 * 86_400 + 3_600 },
      "token is issued in the future (more than 60 s ahead of this server's clock)",
    ],
    [
      // Well past the 60 s skew: the table is built at load, seconds before a slow run reaches it.
      "an iat 90 s ahead",
      { role: "admin", sub: "a", iat: now() + 90, exp: now() + 3_600 },
      "token is issued in the future (more than 60 s ahead of this server's clock)",
    ],
    ["an expiry in the past", { role: "admin", sub: "a", exp: now() - 10 }, "token expired"],
    [
      "a streamer without its streamerId",
      { role: "streamer", sub: "s", exp: now() + 60 },
      "token claims are not valid",
    ],
    ["an unknown role", { role: "root", sub: "s", exp: now() + 60 }, "token claims are not valid"],
  ])("refuses a token with %s", async (_what, payload, reason) => {
    expect(await authenticate(await raw(payload), secret)).toEqual({ kind: "invalid", reason });
  });

  it("accepts an iat up to the clock skew ahead (a signer whose clock runs a little fast)", async () => {
    const token = await raw({ role: "viewer", sub: "v", iat: now() + 50, exp: now() + 3_600 });
    expect(await authenticate(token, secret)).toMatchObject({ kind: "token", role: "viewer" });
  });

  it("takes the maximum lifetime it is given", async () => {
    const token = await raw({ role: "viewer", sub: "v", iat: now(), exp: now() + 600 });
    expect(await authenticate(token, secret, { maxLifetimeSeconds: 300 })).toEqual({
      kind: "invalid",
      reason: "token lives longer than 300 s",
    });
    expect(await authenticate(token, secret, { maxLifetimeSeconds: 600 })).toMatchObject({ kind: "token" });
  });

  it("marks a token signed with another secret or garbage as invalid", async () => {
    const other = await signToken({ role: "admin", sub: "a" }, "y".repeat(32));
    expect(await authenticate(`Bearer ${other}`, secret)).toEqual({
      kind: "invalid",
      reason: "token is not valid",
    });
    expect(await authenticate("Bearer garbage", secret)).toEqual({
      kind: "invalid",
      reason: "token is not valid",
    });
  });
});

describe("canEditSettings", () => {
  const token = (c: {
    role: "viewer" | "streamer" | "moderator" | "admin";
    streamerId?: string;
  }): Caller => ({
    kind: "token",
    sub: c.role,
    expiresAt: Date.now() + 60_000,
    ...c,
  });
  it.each<[Caller, string, boolean]>([
    [{ kind: "anonymous", role: "viewer" }, "s1", false],
    [token({ role: "viewer" }), "s1", false],
    [token({ role: "streamer", streamerId: "s1" }), "s1", true],
    [token({ role: "streamer", streamerId: "s1" }), "s2", false],
    [token({ role: "moderator" }), "s2", true],
    [token({ role: "admin" }), "s2", true],
  ])("%j on %s → %s", (caller, streamerId, allowed) => {
    expect(canEditSettings(caller, streamerId)).toBe(allowed);
  });
});
