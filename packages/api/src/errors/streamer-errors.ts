import { TRPCError } from "@trpc/server";

/** The answer for a streamer that does not exist, wherever one is named. */
export function unknownStreamer(streamerId: string): TRPCError {
  return new TRPCError({
    code: "NOT_FOUND",
    message: `streamerId: there is no streamer "${streamerId}" (an admin, or the streamer's own token, creates it with streamers.create)`,
  });
}
