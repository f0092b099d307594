import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { authenticate, canEditSettings, signToken } from "./auth.ts";

const secret = "x".repeat(32);

describe("authenticate", () => {
  it("treats a caller without a token as a viewer", async () => {
    expect(await authenticate(undefined, secret)).toEqual({ kind: "anonymous", role: "viewer" });
  });

  it("accepts a token it signed, with or without the Bearer prefix", async () => {
    const token = await signToken({ role: "streamer", streamerId: "s1" }, secret);
    expect(await authenticate(`Bearer ${token}`, secret)).toEqual({
      kind: "token",
      role: "streamer",
      streamerId: "s1",
      expiresAt: expect.any(Number),
    });
    expect(await authenticate(token, secret)).toMatchObject({ kind: "token", role: "streamer" });
  });

  it("marks a token signed with another secret, an expired one, or bad claims as invalid", async () => {
    const other = await signToken({ role: "admin" }, "y".repeat(32));
    expect(await authenticate(`Bearer ${other}`, secret)).toEqual({
      kind: "invalid",
      reason: "token is not valid",
    });
    const expired = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(secret));
    expect(await authenticate(`Bearer ${expired}`, secret)).toEqual({
      kind: "invalid",
      reason: "token expired",
    });
    const noStreamer = await new SignJWT({ role: "streamer" })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(secret));
    expect(await authenticate(noStreamer, secret)).toEqual({
      kind: "invalid",
      reason: "token claims are not valid",
    });
    expect(await authenticate("Bearer garbage", secret)).toEqual({
      kind: "invalid",
      reason: "token is not valid",
    });
  });
});

describe("canEditSettings", () => {
  it.each([
    [{ kind: "anonymous", role: "viewer" } as const, "s1", false],
    [{ kind: "token", role: "viewer" } as const, "s1", false],
    [{ kind: "token", role: "streamer", streamerId: "s1" } as const, "s1", true],
    [{ kind: "token", role: "streamer", streamerId: "s1" } as const, "s2", false],
    [{ kind: "token", role: "moderator" } as const, "s2", true],
    [{ kind: "token", role: "admin" } as const, "s2", true],
  ])("%j on %s → %s", (caller, streamerId, allowed) => {
    expect(canEditSettings(caller, streamerId)).toBe(allowed);
  });
});
