import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { RESUME_LOST_CODE } from "./resume-code.ts";

/**
 * A resume position as clients send it (wsLink's `lastEventId`: a moment id). Any text up
 * to 1 KiB is taken: one that names no stored moment gets the resume-lost signal rather
 * than BAD_REQUEST, so every position that cannot be recovered ends the same way.
 */
export const resumeText = z.string().max(1024);

/**
 * The explicit signal that a resume position cannot be recovered (no stored moment has
 * that id: removed, or never stored here, or not an id): the client cannot get what it
 * missed live, only from `moments.history`, and subscribes again without a position.
 */
export function resumePositionLost(lastEventId: string): TRPCError {
  const shown = lastEventId.length > 40 ? `${lastEventId.slice(0, 40)}…` : lastEventId;
  return new TRPCError({
    code: RESUME_LOST_CODE,
    message: `cannot resume after ${JSON.stringify(shown)}: no stored moment has that id; some moments were missed — see moments.history, then subscribe without lastEventId`,
  });
}
