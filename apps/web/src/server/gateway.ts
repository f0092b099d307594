import { VerifiedTokens, type ContextDeps, type VerifyOptions } from "@emote/api";
import type { Database } from "@emote/db";
import type { Logger } from "@emote/observability";
import type { RunningEmoteIngest } from "./emotes/emote-ingest.ts";
import { hostAllowlist } from "./http/host-allowlist.ts";
import { logRequestErrors, type ErrorReport } from "./http/request-errors.ts";
import {
  createRateLimits,
  type LimitName,
  type RateLimitOptions,
  type RateLimits,
} from "./limits/rate-limits.ts";

/** What the HTTP and WebSocket servers check before and around every call (docs/security.md). */
export interface Gateway {
  hostAllowed(host: string | undefined): boolean;
  rateLimits: RateLimits;
  /** How tokens are verified (their longest accepted lifetime). */
  verify: VerifyOptions;
  /** tRPC's onError, shared by both adapters. */
  onError(report: ErrorReport): void;
}

export interface GatewayOptions {
  allowedHosts: readonly string[];
  /** The address the server binds to: also a Host it answers to. */
  bindHost: string;
  rateLimits: RateLimitOptions;
  maxTokenLifetimeSeconds: number;
}

export function createGateway(
  opts: GatewayOptions,
  log: Logger,
  limited: (name: LimitName) => void = () => undefined,
): Gateway {
  return {
    hostAllowed: hostAllowlist(opts.allowedHosts, opts.bindHost),
    rateLimits: createRateLimits(opts.rateLimits, limited),
    verify: { maxLifetimeSeconds: opts.maxTokenLifetimeSeconds },
    onError: logRequestErrors(log),
  };
}

/**
 * What both adapters' contexts take from the server: the database, how callers are checked
 * (verified tokens remembered until they expire) and, when it takes emotes, its ingest.
 */
export function contextDepsOf(deps: {
  db: Database;
  authSecret: string;
  gateway: Gateway;
  emotes?: RunningEmoteIngest | undefined;
}): ContextDeps {
  return {
    db: deps.db,
    authSecret: deps.authSecret,
    verify: deps.gateway.verify,
    limits: {
      ...deps.gateway.rateLimits.calls,
      ...(deps.emotes && { emotes: deps.emotes.viewerLimiter }),
    },
    tokens: new VerifiedTokens(deps.authSecret, deps.gateway.verify),
    ...(deps.emotes && { emotes: deps.emotes.ingest }),
  };
}
