import { emoteSendInput, errorShapeOf, sendEmote, type Context, type SentEmote } from "@emote/api";
import type { IncomingMessage } from "node:http";
import { TRPCError, getTRPCErrorFromUnknown } from "@trpc/server";
import type { ErrorReport } from "../http/request-errors.ts";

/** What an emotes.send call ends in: the sent emote, or the error and the shape tRPC would answer. */
export type EmoteCallOutcome =
  { data: SentEmote } | { error: TRPCError; shape: ReturnType<typeof errorShapeOf> };

/**
 * One emotes.send call as the procedure runs it, for the fast paths that answer it without
 * tRPC's adapters (ws-emotes.ts, http-emotes.ts): the input parsed by the procedure's zod
 * schema (a failure is BAD_REQUEST caused by the ZodError, as tRPC's input parser throws),
 * then `sendEmote`; an error is reported to `onError` (the server's, as tRPC's adapters
 * report it, with `req`) and shaped by the API's errorFormatter. Never rejects.
 */
export async function callSendEmote(
  req: IncomingMessage,
  ctx: Context,
  rawInput: unknown,
  onError: (report: ErrorReport) => void,
): Promise<EmoteCallOutcome> {
  try {
    const parsed = emoteSendInput.safeParse(rawInput);
    if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", cause: parsed.error });
    return { data: await sendEmote(ctx, parsed.data) };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    onError({ error, path: "emotes.send", type: "mutation", req });
    return {
      error,
      shape: errorShapeOf(error, { path: "emotes.send", type: "mutation", input: rawInput, ctx }),
    };
  }
}
