import { streamerIdSchema } from "@emote/contracts";
import { SignJWT, errors, jwtVerify } from "jose";
import { z } from "zod";

/** Roles in increasing power; a streamer may only act on its own streamer. */
export const ROLES = ["viewer", "streamer", "moderator", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const claimsSchema = z
  .object({
    /** Who the caller is (recorded in the audit log). */
    sub: z.string().min(1).max(128).optional(),
    role: roleSchema,
    streamerId: streamerIdSchema.optional(),
  })
  .refine(
    (c) => c.role !== "streamer" || c.streamerId !== undefined,
    "a streamer token names its streamerId",
  );
export type Claims = z.infer<typeof claimsSchema>;

/** Who is calling: nobody in particular (a viewer), a verified token, or a token that failed. */
export type Caller =
  | { kind: "anonymous"; role: "viewer" }
  | ({ kind: "token"; expiresAt?: number } & Claims)
  | { kind: "invalid"; reason: string };

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
 * rejected by the procedures instead.
 */
export async function authenticate(
  authorization: string | undefined | null,
  secret: string,
): Promise<Caller> {
  if (!authorization) return { kind: "anonymous", role: "viewer" };
  const token = authorization.startsWith("Bearer ") ? authorization.slice(7).trim() : authorization.trim();
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"] });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return { kind: "invalid", reason: "token claims are not valid" };
    const caller: Caller = { kind: "token", ...claims.data };
    if (payload.exp !== undefined) caller.expiresAt = payload.exp * 1000;
    return caller;
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { kind: "invalid", reason: "token expired" };
    return { kind: "invalid", reason: "token is not valid" };
  }
}

/** May this caller change the settings of `streamerId`? */
export function canEditSettings(caller: Caller, streamerId: string): boolean {
  if (caller.kind !== "token") return false;
  if (caller.role === "admin" || caller.role === "moderator") return true;
  return caller.role === "streamer" && caller.streamerId === streamerId;
}

/** Who a token's caller is, for the audit log: its subject, else its role. */
export function callerSubject(caller: Extract<Caller, { kind: "token" }>): string {
  return caller.sub ?? caller.role;
}
