import type { IncomingMessage } from "node:http";
import type { Context } from "@emote/api";
import { callSendEmote } from "./emote-call.ts";
import type { FrameBudget } from "../live/moment-fanout.ts";
import type { ErrorReport } from "../http/request-errors.ts";
import { sendTextFrame, textFrame } from "../ws/ws-frames.ts";

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
 * when ws's internals allow (ws-frames.ts). Everything else, and any message that is not plainly one
 * `emotes.send` mutation (a batch, a malformed frame, a call before the connection's
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

/** The call `text` holds if it is exactly one `emotes.send` mutation, else undefined (tRPC's). */
export function emoteCallOf(text: string): EmoteCall | undefined {
  if (text.length > MAX_CALL_CHARS || !text.includes('"emotes.send"')) return undefined;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined; // tRPC answers the parse error
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return undefined;
  const { id, jsonrpc, method, params } = msg as Record<string, unknown>;
  if (typeof id !== "string" && typeof id !== "number") return undefined;
  if (jsonrpc !== undefined && jsonrpc !== "2.0") return undefined;
  if (method !== "mutation" || typeof params !== "object" || params === null) return undefined;
  const { path, input, lastEventId } = params as Record<string, unknown>;
  if (path !== "emotes.send" || lastEventId !== undefined) return undefined;
  return { id, jsonrpc, input };
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
      const call = ctx && emoteCallOf((data as Buffer).toString("utf8"));
      if (!ctx || !call) return (trpc as MessageListener).call(socket, data, isBinary);
      void this.answer(socket, budget, req, ctx, call);
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
