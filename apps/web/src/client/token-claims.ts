import { streamerIdSchema } from "@emote/contracts";
import { decodeJwt } from "jose";
import { z } from "zod";

/**
 * The part of a token's claims the dashboard reads before asking the server: when it
 * expires, and whose dashboard a streamer lands on. Not verified here (the server decides
 * what a token allows); a token that does not even decode is refused up front.
 */
const tokenViewSchema = z.object({
  exp: z.number().optional(),
  role: z.string().optional(),
  streamerId: streamerIdSchema.optional(),
});

export interface TokenView {
  /** Milliseconds since the epoch; null when the token does not say. */
  expiresAt: number | null;
  /** The streamer a streamer's token belongs to. */
  ownStreamerId: string | null;
}

/** What the dashboard can tell from a token without the server, or null when it is not a token. */
export function readTokenView(token: string): TokenView | null {
  let payload: unknown;
  try {
    payload = decodeJwt(token);
  } catch {
    return null;
  }
  const claims = tokenViewSchema.safeParse(payload);
  if (!claims.success) return null;
  const { exp, role, streamerId } = claims.data;
  return {
    expiresAt: exp === undefined ? null : exp * 1000,
    ownStreamerId: role === "streamer" ? (streamerId ?? null) : null,
  };
}

/** Why a signed-in session ended: the token's time ran out, or the server refused it. */
export type SignInProblem = { kind: "expired" } | { kind: "refused"; reason: string };

/** A token the client can already tell is unusable, or null when only the server can say. */
export function tokenProblem(token: string, now: number): SignInProblem | null {
  const view = readTokenView(token);
  if (!view) return { kind: "refused", reason: "this is not an access token" };
  if (view.expiresAt !== null && view.expiresAt <= now) return { kind: "expired" };
  return null;
}

/** What the sign-in area says about a session that ended. */
export function describeSignInProblem(problem: SignInProblem): string {
  return problem.kind === "expired"
    ? "Your sign-in expired. You are back to the public view."
    : `Your token was not accepted (${problem.reason}). You are back to the public view.`;
}
