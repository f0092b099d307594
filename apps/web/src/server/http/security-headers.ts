import type { ServerResponse } from "node:http";

/**
 * The dashboard loads only its own scripts and styles, talks only to this server (HTTP
 * and its WebSocket) and may not be framed. `host` is the request's Host, already checked
 * against the allowlist, so the WebSocket's origin can be named (older browsers do not
 * count ws: as 'self').
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Set on every HTTP response, before anything else answers (probes, tRPC, files, errors). */
export function setSecurityHeaders(res: ServerResponse, host: string | undefined): void {
  res.setHeader("content-security-policy", contentSecurityPolicy(host));
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("cross-origin-opener-policy", "same-origin");
}
