import { fullJitterDelayMs } from "./reconnect-backoff.ts";

/** The 1012 "service restart" close of a draining gateway (apps/web drain). */
const SERVICE_RESTART = 1012;

/** What tRPC's WebSocket client says of a call it could not write: it never left the client. */
const NEVER_SENT = new Set(["Active connection is not open", "Closed before connection was established"]);

/** The part of a TRPCClientError this reads. */
interface CallError {
  message: string;
  data?: unknown;
  cause?: unknown;
}

/**
 * True when a failed emotes.send was certainly not taken by any gateway, so sending it
 * again cannot count it twice: it got no answer and either never left the client (its
 * socket was reconnecting) or its socket was closed with 1012 — a draining gateway
 * answers every call it took before that close and drops any that arrives after it. A
 * socket that dropped otherwise (a crash, a cut) may have taken the call: not retried.
 */
export function emoteSendNotTaken(error: CallError): boolean {
  if (error.data !== undefined) return false;
  if (NEVER_SENT.has(error.message)) return true;
  const cause = error.cause;
  return (
    typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === SERVICE_RESTART
  );
}

/** emotes.send is sent again at most this many times, after full-jitter pauses (the socket reconnects meanwhile). */
export const EMOTE_SEND_RETRIES = 5;

/** tRPC's retryLink options: emotes.send again only when it was not taken (emoteSendNotTaken). */
export const emoteSendRetry = {
  retry: ({
    op,
    attempts,
    error,
  }: {
    op: { path: string; type: string };
    attempts: number;
    error: CallError;
  }) =>
    op.type === "mutation" &&
    op.path === "emotes.send" &&
    attempts <= EMOTE_SEND_RETRIES &&
    emoteSendNotTaken(error),
  retryDelayMs: (attempts: number) => fullJitterDelayMs(attempts - 1, { baseMs: 250, capMs: 2_000 }),
};
