import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "@emote/api";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { callSendEmote } from "./emote-call.ts";
import { retryAfter, type ErrorReport } from "../http/request-errors.ts";

/**
 * The fast path of `emotes.send` over HTTP (its WebSocket twin: ws-emotes.ts).
 *
 * tRPC's HTTP adapter turns every request into a Fetch `Request` and its answer into a
 * `Response` (headers objects, streams, an AbortController), several times the cost of the
 * reaction itself; a crowd reacting over HTTP spent most of a gateway's CPU there. A plain
 * `POST /trpc/emotes.send` with a JSON body is answered here instead: callSendEmote
 * (emote-call.ts: the procedure's own schema and function) with the request's context,
 * and the status, headers and body tRPC's adapter would give (`retry-after` on a refusal
 * as the server's responseMeta sets it). Anything else (a batch, a query string, another
 * content type, a streaming accept, an empty or malformed body) goes to tRPC.
 */

/** The raw input of `req` if it is a plain emotes.send call, else undefined (tRPC's). */
export function plainEmoteInput(req: IncomingMessage, body: string): { input: unknown } | undefined {
  if (req.method !== "POST" || req.url !== "/trpc/emotes.send" || body === "") return undefined;
  const { "content-type": type, "trpc-accept": trpcAccept, accept } = req.headers;
  if (!type?.startsWith("application/json") || trpcAccept !== undefined) return undefined;
  if (accept?.includes("application/jsonl")) return undefined;
  try {
    return { input: JSON.parse(body) as unknown };
  } catch {
    return undefined; // tRPC answers the parse error
  }
}

/** Answers one plain emotes.send call on `res`. */
export async function answerEmoteOverHttp(
  res: ServerResponse,
  req: IncomingMessage,
  ctx: Context,
  input: unknown,
  onError: (report: ErrorReport) => void,
): Promise<void> {
  const outcome = await callSendEmote(req, ctx, input, onError);
  const headers: Record<string, string> = { vary: "trpc-accept, accept", "content-type": "application/json" };
  let status = 200;
  let body: string;
  if ("data" in outcome) body = JSON.stringify({ result: { data: outcome.data } });
  else {
    const { error, shape } = outcome;
    const seconds = retryAfter([error]);
    if (seconds !== undefined) headers["retry-after"] = String(seconds);
    status = getHTTPStatusCodeFromError(error);
    body = JSON.stringify({ error: shape });
  }
  // Its length up front: writeHead without one would make Node frame the answer in chunks.
  headers["content-length"] = String(Buffer.byteLength(body));
  res.writeHead(status, headers).end(body);
}
