import { emoteSchema, streamerIdSchema } from "@emote/contracts";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { EmoteRefusedError, type SentEmote } from "../emotes/ingest.ts";
import { unknownStreamer } from "../errors/streamer-errors.ts";
import { RateLimitedError, limitKey } from "../limits/rate-limit.ts";
import { assertCallerValid, bareProcedure, type Context } from "../trpc.ts";

/**
 * Only what a viewer chooses: the server sets the timestamp, id, viewer and trace context.
 * Strict, so a client that sends its own `timestamp` (or anything else) is told so instead
 * of having it silently ignored.
 */
export const emoteSendInput = z.strictObject({
  streamerId: streamerIdSchema,
  emote: emoteSchema,
});

/**
 * A refusal is an expected answer under load, thousands a second in a flood: built without
 * a stack trace, the costliest part of an error, which nobody reads for these.
 */
function refusal(code: TRPCError["code"], message: string, cause: RateLimitedError): TRPCError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new TRPCError({ code, message, cause });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const refusalCode = {
  streamer_cap: "TOO_MANY_REQUESTS",
  overloaded: "SERVICE_UNAVAILABLE",
  queue_full: "SERVICE_UNAVAILABLE",
  unavailable: "SERVICE_UNAVAILABLE",
} as const;

/** emotes.send's input as the server has checked it. */
export type EmoteSendInput = z.infer<typeof emoteSendInput>;

/**
 * emotes.send's work, called by the procedure and by the gateway's fast paths (apps/web
 * emote-call.ts, over WebSocket and HTTP), so all check exactly the same: the caller, the viewer's own limit (token
 * `sub`, else client address), the streamer's allowed emotes, then resolved once Kafka has
 * the emote. Throws TRPCError. Not counted against the mutation limit: reactions have their own.
 */
export async function sendEmote(
  ctx: Pick<Context, "caller" | "clientAddress" | "limits" | "emotes">,
  input: EmoteSendInput,
): Promise<SentEmote> {
  assertCallerValid(ctx.caller);
  const ingest = ctx.emotes;
  if (!ingest) {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "this server does not take emotes" });
  }
  const viewerKey = limitKey(ctx.caller, ctx.clientAddress);
  const limiter = ctx.limits?.emotes;
  if (limiter) {
    try {
      await limiter.take(viewerKey);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      throw refusal(
        "TOO_MANY_REQUESTS",
        `too many emotes from this viewer: retry in ${err.retryAfterSeconds} s`,
        err,
      );
    }
  }
  const allowed = ingest.allowedEmotes(input.streamerId);
  if (allowed === null) throw unknownStreamer(input.streamerId);
  if (!allowed.includes(input.emote)) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `emote: not one of the emotes streamer ${input.streamerId} allows (${allowed.join(" ")})`,
    });
  }
  try {
    return await ingest.send({ streamerId: input.streamerId, emote: input.emote, viewerKey });
  } catch (err) {
    if (!(err instanceof EmoteRefusedError)) throw err;
    throw refusal(refusalCode[err.reason], err.message, new RateLimitedError(err.retryAfterMs));
  }
}

export const emotesRouter = {
  /** A viewer's reaction (sendEmote). */
  send: bareProcedure.input(emoteSendInput).mutation(({ ctx, input }) => sendEmote(ctx, input)),
} satisfies TRPCRouterRecord;
