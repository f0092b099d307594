import { DEV_AUTH_SECRET } from "@emote/config";
import type { WebServerOptions } from "../../src/server/web-server.ts";

/**
 * Options of an in-process test server: a free port on loopback, the development secret,
 * no other origins or hosts, 60 mutations a minute and no connection-rate limit, unless
 * `over` says otherwise.
 */
export function testServerOptions(over: Partial<WebServerOptions> = {}): WebServerOptions {
  return {
    port: 0,
    host: "127.0.0.1",
    authSecret: DEV_AUTH_SECRET,
    allowedOrigins: [],
    allowedHosts: [],
    rateLimits: { mutationsPerMinute: 60, connectionsPerMinute: 0 },
    maxTokenLifetimeSeconds: 86_400,
    ...over,
  };
}
