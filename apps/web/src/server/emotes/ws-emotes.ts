import type { IncomingMessage } from "node:http";
import type { Context } from "@emote/api";
import { callSendEmote } from "./emote-call.ts";
import type { FrameBudget } from "../live/moment-fanout.ts";
import type { ErrorReport } from "../http/request-errors.ts";
import { sendTextFrame, textFrame } from "../ws/ws-frames.ts";
import type { GatewayDrain } from "../drain/gateway-drain.ts";

/**
 * The fast path of `emotes.send` over WebSocket (its HTTP twin: http-emotes.ts).
 *
 * A crowd's reactions are the most frequent call there is, and tRPC's WebSocket adapter
 * spends a large share of a reaction's CPU on its per-call machinery (an AbortController,
 * the procedure's option and context copies, several promises). Here a socket's
 * `emotes.send` mutations are answered by callSendEmote (emote-call.ts: the procedure's
 * own schema and function) with the connection's context (made by tRPC's createContext),
 * in the frames tRPC's adapter writes — so `wsLink` clients see no difference. An answer
 * goes under the socket's buffer budget like every frame, written as one pre-built frame
 * when ws's internals allow (ws-frames.ts). A batch of emotes.send calls only (the client's calls
 * of one tick) is answered call by call, as tRPC does. Everything else, and any message that is
 * not plainly emotes.send (a batch with other calls, a malformed frame, a call before the connection's
 * context exists), goes to tRPC as before.
 */

/** One `emotes.send` mutation message, as far as the fast path reads it. */
export interface EmoteCall {
  id: string | number;
  jsonrpc: "2.0" | undefined;
  input: unknown;
}

/** A message longer than this is no plain emotes.send (the input is two short strings). */
const MAX_CALL_CHARS = 1_024;
/** The client batches the calls made in one tick into one message (an array). */
const MAX_BATCH_CALLS = 64;

/** The call `msg` is if it is exactly one `emotes.send` mutation, else undefined. */
function plainCall(msg: unknown): EmoteCall | undefined {
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return undefined;
  const { id, jsonrpc, method, params } = msg as Record<string, unknown>;
  if (typeof id !== "string" && typeof id !== "number") return undefined;
  if (jsonrpc !== undefined && jsonrpc !== "2.0") return undefined;
  if (method !== "mutation" || typeof params !== "object" || params === null) return undefined;
  const { path, input, lastEventId } = params as Record<string, unknown>;
  if (path !== "emotes.send" || lastEventId !== undefined) return undefined;
  return { id, jsonrpc, input };
}

function parsed(text: string, maxChars: number): unknown {
  if (text.length > maxChars || !text.includes('"emotes.send"')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // tRPC answers the parse error
  }
}

/** The call `text` holds if it is exactly one `emotes.send` mutation, else undefined (tRPC's). */
export function emoteCallOf(text: string): EmoteCall | undefined {
  return plainCall(parsed(text, MAX_CALL_CHARS));
}

/**
 * The calls `text` holds if it is one `emotes.send` mutation or a batch of nothing else
 * (a client's calls of one tick), else undefined: tRPC's.
 */
export function emoteCallsOf(text: string): EmoteCall[] | undefined {
  const msg = parsed(text, MAX_CALL_CHARS * MAX_BATCH_CALLS);
  if (!Array.isArray(msg)) {
    const one = text.length <= MAX_CALL_CHARS ? plainCall(msg) : undefined;
    return one && [one];
  }
  if (msg.length === 0 || msg.length > MAX_BATCH_CALLS) return undefined;
  const calls = msg.map(plainCall);
  return calls.every((c) => c !== undefined) ? calls : undefined;
}

/** The part of a ws.WebSocket the fast path uses (a fake in unit tests). */
export interface EmoteSocket {
  readonly readyState: number;
  send(data: Buffer, options: { binary: false }): void;
  listeners(event: "message"): unknown[];
  on(event: "message", listener: MessageListener): unknown;
  off(event: "message", listener: MessageListener): unknown;
}

type MessageListener = (data: unknown, isBinary: boolean) => void;

const OPEN = 1;

export class WsEmotes {
  constructor(
    private readonly onError: (report: ErrorReport) => void,
    /** Counts each call in flight per socket: a draining gateway closes a socket once they are answered. */
    private readonly drain: Pick<GatewayDrain, "accepts" | "during">,
    /** Answers written as pre-built frames (ws-frames.ts); false: through ws's `send`. */
    private readonly raw = true,
  ) {}

  /**
   * Puts the fast path in front of tRPC's 'message' listener on `socket`: call it in the
   * WebSocketServer's 'connection' event after tRPC's handler was attached, with the
   * listeners the socket had before tRPC's (`before`). The one listener tRPC added is then
   * called only for what the fast path does not answer. False (and nothing changed) when
   * tRPC did not add exactly one listener: a tRPC that works differently keeps its own path.
   */
  intercept(
    socket: EmoteSocket,
    req: IncomingMessage,
    before: readonly unknown[],
    contextOf: () => Context | undefined,
    budget: FrameBudget,
  ): boolean {
    const added = socket.listeners("message").filter((l) => !before.includes(l));
    const trpc = added[0];
    if (added.length !== 1 || typeof trpc !== "function") return false;
    socket.off("message", trpc as MessageListener);
    socket.on("message", (data, isBinary) => {
      const ctx = isBinary || !Buffer.isBuffer(data) ? undefined : contextOf();
      const calls = ctx && emoteCallsOf((data as Buffer).toString("utf8"));
      if (!ctx || !calls) return (trpc as MessageListener).call(socket, data, isBinary);
      // Told to close (draining): the answer could not arrive, so the emote is not taken.
      if (!this.drain.accepts(socket)) return;
      for (const call of calls)
        void this.drain.during(socket, () => this.answer(socket, budget, req, ctx, call));
    });
    return true;
  }

  private async answer(
    socket: EmoteSocket,
    budget: FrameBudget,
    req: IncomingMessage,
    ctx: Context,
    call: EmoteCall,
  ) {
    const outcome = await callSendEmote(req, ctx, call.input, this.onError);
    const { id, jsonrpc } = call;
    const answer = JSON.stringify(
      "data" in outcome
        ? { id, jsonrpc, result: { type: "data", data: outcome.data } }
        : { id, jsonrpc, error: outcome.shape },
    );
    if (socket.readyState !== OPEN) return;
    const payload = Buffer.from(answer, "utf8");
    if (!budget.admit(payload.length)) return;
    sendTextFrame(socket, payload, this.raw ? textFrame(payload) : undefined);
  }
}
