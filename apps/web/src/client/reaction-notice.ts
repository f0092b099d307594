import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@emote/api";

/** What a viewer reads when a reaction was not taken: gentle, with when to try again. */
export function reactionNotice(err: unknown): { text: string; clearAfterMs: number } {
  const data = err instanceof TRPCClientError ? (err as TRPCClientError<AppRouter>).data : undefined;
  const seconds = Math.max(1, data?.retryAfterSeconds ?? 1);
  switch (data?.code) {
    case "TOO_MANY_REQUESTS":
      return {
        text: `Easy there! You're reacting faster than we can count — try again in ${seconds} s.`,
        clearAfterMs: seconds * 1000,
      };
    case "SERVICE_UNAVAILABLE":
      return {
        text: "Reactions are catching their breath — try again in a moment.",
        clearAfterMs: seconds * 1000,
      };
    case "BAD_REQUEST":
      return { text: "That emote isn't allowed here any more.", clearAfterMs: 4_000 };
    default:
      return { text: "Your reaction didn't get through — try again.", clearAfterMs: 4_000 };
  }
}
