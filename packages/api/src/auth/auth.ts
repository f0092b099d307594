import { DEFAULT_TOKEN_MAX_LIFETIME_SECONDS } from "@emote/config";
import { streamerIdSchema } from "@emote/contracts";
import { SignJWT, errors, jwtVerify } from "jose";
import { z } from "zod";

/** Roles in increasing power; a streamer may only act on its own streamer. */
export const ROLES = ["viewer", "streamer", "moderator", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const claimsSchema = z
  .object({
    role: roleSchema,
    streamerId: streamerIdSchema.optional(),
    /** Who the caller is: rate limits count per subject, the audit log records it. */
    sub: z.string().min(1).max(128),
  })
  .refine(
    (c) => c.role !== "streamer" || c.streamerId !== undefined,
    "a streamer token names its streamerId",
  );
export type Claims = z.infer<typeof claimsSchema>;

/** Who is calling: nobody in particular (a viewer), a verified token, or a token that failed. */
export type Caller =
  | { kind: "anonymous"; role: "viewer" }
  | ({ kind: "token"; expiresAt: number } & Claims)
  | { kind: "invalid"; reason: string };

export interface VerifyOptions {
  /** Longest lifetime accepted (exp − iat, or exp − now for a token without iat). */
  maxLifetimeSeconds?: number;
}

/**
 * How far a token's `iat` may lie ahead of this server's clock: the signer's clock may run
 * a little ahead; beyond that the lifetime cap (exp − iat) would not bound how long the
 * token works from now.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

const key = (secret: string) => new TextEncoder().encode(secret);

export async function signToken(claims: Claims, secret: string, expiresIn = "12h"): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}

/**
 * Turns an Authorization header (or a WebSocket connection parameter) into a Caller.
 * Never throws: a context that throws makes clients reconnect in a loop; a bad token is
 * rejected by the procedures instead. A token must expire, and soon enough: one without
 * `exp`, or living longer than the maximum, would be a key that never stops working.
 */
export async function authenticate(
  authorization: string | undefined | null,
  secret: string,
  { maxLifetimeSeconds = DEFAULT_TOKEN_MAX_LIFETIME_SECONDS }: VerifyOptions = {},
): Promise<Caller> {
  if (!authorization) return { kind: "anonymous", role: "viewer" };
  const token = authorization.startsWith("Bearer ") ? authorization.slice(7).trim() : authorization.trim();
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp", "sub"],
    });
    const exp = payload.exp as number;
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (payload.iat !== undefined && payload.iat > nowSeconds + TOKEN_CLOCK_SKEW_SECONDS) {
      return {
        kind: "invalid",
        reason: `token is issued in the future (more than ${TOKEN_CLOCK_SKEW_SECONDS} s ahead of this server's clock)`,
      };
    }
    const since = payload.iat ?? nowSeconds;
    if (exp - since > maxLifetimeSeconds) {
      return { kind: "invalid", reason: `token lives longer than ${maxLifetimeSeconds} s` };
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return { kind: "invalid", reason: "token claims are not valid" };
    return { kind: "token", ...claims.data, expiresAt: exp * 1000 };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { kind: "invalid", reason: "token expired" };
    if (err instanceof errors.JWTClaimValidationFailed && err.reason === "missing") {
      return { kind: "invalid", reason: `token has no ${err.claim} claim` };
    }
    return { kind: "invalid", reason: "token is not valid" };
  }
}

/** May this caller change the settings of `streamerId`? */
export function canEditSettings(caller: Caller, streamerId: string): boolean {
  if (caller.kind !== "token") return false;
  if (caller.role === "admin" || caller.role === "moderator") return true;
  return caller.role === "streamer" && caller.streamerId === streamerId;
}

/** May this caller create the streamer `streamerId`? An admin any, a streamer token its own. */
export function canCreateStreamer(caller: Caller, streamerId: string): boolean {
  if (caller.kind !== "token") return false;
  return caller.role === "admin" || (caller.role === "streamer" && caller.streamerId === streamerId);
}
