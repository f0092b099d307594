import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Logger } from "@emote/observability";
import { RateLimitedError } from "@emote/api";
import type { TRPCError } from "@trpc/server";
import { ClientFaultLog, isClientSocketFault } from "../ws/client-faults.ts";

const ids = new WeakMap<IncomingMessage, string>();

/**
 * The id of an HTTP request (for a WebSocket, of its upgrade request: one per connection).
 * Made here, not taken from the client, so a log line cannot be impersonated.
 */
export function requestIdOf(req: IncomingMessage): string {
  let id = ids.get(req);
  if (id === undefined) {
    id = randomUUID();
    ids.set(req, id);
  }
  return id;
}

export interface ErrorReport {
  error: TRPCError;
  path: string | undefined;
  type: string;
  req: IncomingMessage;
}

/**
 * tRPC's onError for both adapters: an INTERNAL_SERVER_ERROR is the server's fault, so it
 * is logged in full (cause, SQL, stack) under the request id the client was given; the
 * rest are the client's and stay at debug. A socket fault of the client's (tRPC's
 * WebSocket adapter reports those as INTERNAL_SERVER_ERROR too: a frame over the size
 * limit, a malformed frame) is logged at warn, without a stack, bounded (ClientFaultLog).
 */
export function logRequestErrors(
  log: Logger,
  faults = new ClientFaultLog(log),
): (report: ErrorReport) => void {
  return ({ error, path, type, req }) => {
    const fields = { requestId: requestIdOf(req), path, type, code: error.code };
    if (isClientSocketFault(error.cause)) {
      const { code, message } = error.cause;
      faults.report(
        { requestId: fields.requestId, fault: code, reason: message },
        "closed a WebSocket for a client's protocol fault",
      );
    } else if (error.code === "INTERNAL_SERVER_ERROR") {
      log.error({ ...fields, err: error.cause ?? error }, `internal error in ${path ?? "a request"}`);
    } else {
      log.debug({ ...fields, reason: error.message }, `refused ${path ?? "a request"}`);
    }
  };
}

/**
 * Seconds a rate-limited caller should wait (`Retry-After`): the longest of an HTTP
 * answer's refusals (several in a batch), undefined when none was rate limited.
 */
export function retryAfter(errors: readonly { cause?: unknown }[]): number | undefined {
  const waits = errors.flatMap((e) =>
    e.cause instanceof RateLimitedError ? [e.cause.retryAfterSeconds] : [],
  );
  return waits.length > 0 ? Math.max(...waits) : undefined;
}
