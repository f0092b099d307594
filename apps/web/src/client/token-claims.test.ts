import { UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { describeSignInProblem, readTokenView, tokenProblem } from "./token-claims.ts";

const NOW = Date.UTC(2026, 0, 1, 12);
const token = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();

describe("readTokenView", () => {
  it("reads the expiry and a streamer's own streamer", () => {
    expect(readTokenView(token({ role: "streamer", streamerId: "s1", exp: NOW / 1000 }))).toEqual({
      expiresAt: NOW,
      ownStreamerId: "s1",
    });
  });

  it("gives no own streamer to other roles", () => {
    expect(readTokenView(token({ role: "moderator", streamerId: "s1" }))).toEqual({
      expiresAt: null,
      ownStreamerId: null,
    });
  });

  it("refuses what is not a token, or has claims of the wrong type", () => {
    expect(readTokenView("not a token")).toBeNull();
    expect(readTokenView("a.b.c")).toBeNull();
    expect(readTokenView(token({ exp: "tomorrow" }))).toBeNull();
    expect(readTokenView(token({ role: "streamer", streamerId: "no spaces" }))).toBeNull();
  });
});

describe("tokenProblem", () => {
  it("is expired at and after exp, fine before it", () => {
    const t = token({ exp: NOW / 1000 });
    expect(tokenProblem(t, NOW - 1)).toBeNull();
    expect(tokenProblem(t, NOW)).toEqual({ kind: "expired" });
  });

  it("leaves a token without exp to the server", () => {
    expect(tokenProblem(token({ role: "viewer" }), NOW)).toBeNull();
  });

  it("refuses garbage before it is sent anywhere", () => {
    expect(tokenProblem("garbage", NOW)).toEqual({ kind: "refused", reason: "this is not an access token" });
  });
});

describe("describeSignInProblem", () => {
  it("says what happened and that the public view goes on", () => {
    expect(describeSignInProblem({ kind: "expired" })).toBe(
      "Your sign-in expired. You are back to the public view.",
    );
    expect(describeSignInProblem({ kind: "refused", reason: "token is not valid" })).toBe(
      "Your token was not accepted (token is not valid). You are back to the public view.",
    );
  });
});
