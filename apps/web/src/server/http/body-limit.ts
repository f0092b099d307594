import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

/**
 * Reads a request body of at most `maxBytes` from the stream (as text: tRPC takes JSON), before anything parses it
 * or looks at the caller's token. A declared Content-Length over the limit is refused
 * without reading a byte; a longer body (chunked, or lying about its length) is refused
 * as soon as the limit is passed. Returns the body, or undefined once a 413 has been sent
 * (the connection is then closed: its unread rest is not worth reading).
 */
export async function readBodyWithin(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) {
    refuseTooLarge(res, maxBytes);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.off("end", onEnd);
      req.pause();
      chunks.length = 0;
      refuseTooLarge(res, maxBytes);
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size).toString("utf8"));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", reject);
    // A client gone before the end of its body: nothing to answer.
    req.once("close", () => {
      if (!req.complete) reject(new Error("request aborted"));
    });
  });
}

/** 413 in tRPC's error shape, so tRPC clients show the message; then the connection closes. */
function refuseTooLarge(res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({
    error: {
      message: `request body too large: at most ${maxBytes} bytes`,
      code: TRPC_ERROR_CODES_BY_KEY.PAYLOAD_TOO_LARGE,
      data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 },
    },
  });
  res.shouldKeepAlive = false;
  res.writeHead(413, { "content-type": "application/json", connection: "close" }).end(body);
}
