import type { IncomingMessage } from "node:http";
import type { Gateway } from "../gateway.ts";

function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  // Non-browser clients send no Origin; browsers always do.
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    // Same origin as the (allowlisted) Host the page was loaded from.
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The raw HTTP answer that refuses an upgrade; the socket is ended after it. */
export type UpgradeRefusal = string;

const refusal = (status: string, headers: Record<string, string> = {}, body = ""): UpgradeRefusal =>
  [`HTTP/1.1 ${status}`, "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)]
    .join("\r\n")
    .concat("\r\n\r\n", body);

/**
 * Whether a WebSocket upgrade may go on: the Host must be allowlisted (a DNS-rebinding
 * page sends the attacker's name, and could then send a matching Origin), the Origin one
 * the dashboard is served from or an allowed one, and the address under its connection
 * rate. Undefined when it may, else the answer to send.
 */
export async function refuseUpgrade(
  req: IncomingMessage,
  gateway: Gateway,
  allowedOrigins: readonly string[],
): Promise<UpgradeRefusal | undefined> {
  if (!gateway.hostAllowed(req.headers.host)) return refusal("421 Misdirected Request");
  if (!originAllowed(req, allowedOrigins)) return refusal("403 Forbidden");
  const wait = await gateway.rateLimits.connectionAttempt(req.socket.remoteAddress ?? "unknown");
  if (wait !== undefined) {
    return refusal(
      "429 Too Many Requests",
      { "Retry-After": String(wait) },
      "too many connection attempts\n",
    );
  }
  return undefined;
}
