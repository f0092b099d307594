import { fileURLToPath } from "node:url";
import { openKafkaBusFromEnv } from "@emote/bus/kafka";
import { groupMembershipCheck, type Bus } from "@emote/bus";
import {
  openMigratedDatabase,
  databaseCheck,
  lastMomentPosition,
  listMomentsInLog,
  loadLatestBoard,
  type Database,
  type DatabaseConnection,
} from "@emote/db";
import { trendingBoardSchema } from "@emote/contracts";
import { errorMessage, kafkaLogging, type Logger, type Observability } from "@emote/observability";
import { followAllowedEmotes } from "./emotes/allowed-emotes.ts";
import { createEmoteIngest } from "./emotes/emote-ingest.ts";
import { DEFAULT_EMOTE_OPTIONS, emoteOptionsOf, type EmoteOptions } from "./emotes/emote-env.ts";
import { GatewayDrain } from "./drain/gateway-drain.ts";
import { createGateway } from "./gateway.ts";
import { newLimitCounters, type LimitCounters } from "./limits/connection-guard.ts";
import {
  clientLimitsOf,
  DEFAULT_CLIENT_LIMITS,
  type ClientLimits,
  type WebEnv,
  type WebServerEnv,
} from "./env.ts";
import { createHttpServer, listenOn } from "./http/http-server.ts";
import { consumeLiveFeeds } from "./live/live-feeds.ts";
import { LiveHub } from "./live/live-hub.ts";
import { TrendingBoards } from "./live/trending-boards.ts";
import type { FanoutCounters } from "./live/moment-fanout.ts";
import type { RateLimitOptions } from "./limits/rate-limits.ts";
import { createWebMetrics } from "./web-metrics.ts";
import { attachWebSockets } from "./ws/ws-server.ts";

export interface RunningWebServer {
  url: string;
  port: number;
  hub: LiveHub;
  /**
   * Counters of the moments.live fan-out (undefined with `fanout: "stock"`), with the
   * frames the buffer budgets dropped and the sockets they terminated, on every path.
   */
  fanoutStats(): (FanoutCounters & { framesDropped: number; disconnects: number }) | undefined;
  /** What the per-client limits refused or cut so far. */
  limitCounters(): LimitCounters;
  /**
   * Drains (docs/operations.md#rollout): /readyz 503 at once, stops listening, closes each
   * WebSocket with 1012 once its emotes.send calls are answered (at most `drainTimeoutMs`,
   * then the rest are cut), sends what is queued to Kafka, then closes Kafka and the database.
   */
  close(): Promise<void>;
}

export { webServerEnvSchema, type ClientLimits, type WebServerEnv } from "./env.ts";
export { type EmoteOptions } from "./emotes/emote-env.ts";

const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** After the WebSockets' drain, how long HTTP requests in flight may still take. */
const HTTP_GRACE_MS = 2_000;
const DEFAULT_STATIC_DIR = fileURLToPath(new URL("../../dist", import.meta.url));

/** Wires PostgreSQL, the Kafka live feeds, HTTP and WebSocket on one port, and starts listening. */
export interface WebServerOptions {
  port: number;
  host: string;
  authSecret: string;
  allowedOrigins: readonly string[];
  /** Host names answered besides loopback and `host` (`*`: any). */
  allowedHosts: readonly string[];
  rateLimits: RateLimitOptions;
  maxTokenLifetimeSeconds: number;
  staticDir?: string | undefined;
  fanout?: "direct" | "stock";
  /** emotes.send: its fast paths (default: ws-emotes.ts, http-emotes.ts) or tRPC's adapters. */
  emotesPath?: "direct" | "stock";
  /** Per-client limits (docs/security.md); default: the env schema's defaults. */
  limits?: ClientLimits;
  /** How emotes.send takes viewers' emotes; default: the env schema's defaults. */
  emotes?: EmoteOptions;
  /** How long WebSockets get to close on a drain before they are cut; default 10 s. */
  drainTimeoutMs?: number;
}

/** WebServerOptions from the web server's variables (shared with the embedded mode). */
export function webServerOptions(env: WebServerEnv, authSecret: string): WebServerOptions {
  return {
    port: env.PORT,
    host: env.HOST,
    authSecret,
    allowedOrigins: env.ALLOWED_ORIGINS,
    allowedHosts: env.ALLOWED_HOSTS,
    rateLimits: {
      mutationsPerMinute: env.RATE_LIMIT_MUTATIONS_PER_MINUTE,
      connectionsPerMinute: env.RATE_LIMIT_CONNECTIONS_PER_MINUTE,
    },
    maxTokenLifetimeSeconds: env.AUTH_TOKEN_MAX_LIFETIME_SECONDS,
    staticDir: env.WEB_STATIC_DIR,
    limits: clientLimitsOf(env),
    emotes: emoteOptionsOf(env),
    drainTimeoutMs: env.WEB_DRAIN_TIMEOUT_MS,
  };
}

/**
 * The web server's distributed-mode process: Kafka and PostgreSQL from the environment;
 * logs, metrics, readiness and spans through `obs` (kafkajs's logs too).
 */
export async function startWebServer(
  env: WebEnv,
  obs: Observability,
  options: Pick<WebServerOptions, "fanout" | "emotesPath"> = {},
): Promise<RunningWebServer> {
  const { bus } = await openKafkaBusFromEnv(env, "emote-web", kafkaLogging(obs.log));
  const conn = await openMigratedDatabase(env.DATABASE_URL);
  const server = await runWebServer(
    { bus, conn },
    { ...webServerOptions(env, env.AUTH_SECRET), ...options },
    obs,
  );
  return {
    ...server,
    async close() {
      await server.close();
      await conn.close();
    },
  };
}

/**
 * Serves HTTP and WebSocket on one port, fed by the bus's live topics and the database
 * (topics created, database migrated). The caller owns the bus and the connection.
 * Probes on the same port: /metrics (obs.registry, the web metrics added to it),
 * /healthz, /readyz (checks added to obs.readiness: the live feeds' consumer group has
 * joined, PostgreSQL answers).
 */
export async function runWebServer(
  { bus, conn }: { bus: Bus; conn: DatabaseConnection },
  opts: WebServerOptions,
  obs: Observability,
): Promise<RunningWebServer> {
  const log = obs.log.child({ component: "web" });
  const metrics = createWebMetrics(obs.registry);
  const db = conn.db;
  const hub = new LiveHub({
    momentLog: {
      lastPosition: () => lastMomentPosition(db),
      read: (after, upTo, limit) => listMomentsInLog(db, { after, before: upTo + 1, limit }),
    },
    tracing: obs.tracing,
    log,
  });
  // Before the port opens: subscribers resume against the moment log's position.
  await hub.start();
  const boards = await trendingBoardsFrom(db, log);
  const gateway = createGateway(
    {
      allowedHosts: opts.allowedHosts,
      bindHost: opts.host,
      rateLimits: opts.rateLimits,
      maxTokenLifetimeSeconds: opts.maxTokenLifetimeSeconds,
    },
    log,
    metrics.rateLimited,
  );
  const limits = opts.limits ?? DEFAULT_CLIENT_LIMITS;
  const counters = newLimitCounters();
  const drain = new GatewayDrain();
  const allowed = await followAllowedEmotes(conn, {
    failed: (err) => log.warn({ err: err.message }, "settings reload failed"),
  });
  const producer = await bus.producer();
  const emotes = createEmoteIngest({
    producer,
    topic: bus.topics.raw,
    allowedEmotes: allowed.of,
    authSecret: opts.authSecret,
    options: opts.emotes ?? DEFAULT_EMOTE_OPTIONS,
  });
  const deps = {
    db: conn.db,
    authSecret: opts.authSecret,
    live: { ...hub.sources, trending: boards.feed, observer: metrics.observer },
    gateway,
    emotes,
  };
  const server = createHttpServer({
    ...deps,
    staticRoot: opts.staticDir ?? DEFAULT_STATIC_DIR,
    probes: obs,
    limits,
    onBodyRefused: () => counters.refused.bodySize++,
    draining: () => drain.phase !== "serving",
    ...(opts.emotesPath && { emotesPath: opts.emotesPath }),
  });
  const ws = attachWebSockets(server, {
    ...deps,
    log,
    allowedOrigins: opts.allowedOrigins,
    limits,
    counters,
    drain,
    ...(opts.fanout && { fanout: opts.fanout }),
    ...(opts.emotesPath && { emotesPath: opts.emotesPath }),
  });
  metrics.readFrom({
    connections: () => ws.wss.clients.size,
    fanout: ws.fanoutStats,
    limits: () => counters,
    emotes: () => emotes.counters,
  });
  const fanoutStats = () => {
    const stats = ws.fanoutStats();
    return stats && { ...stats, framesDropped: counters.framesDropped, disconnects: counters.disconnects };
  };
  const closeHttp = async () => {
    obs.readiness.stop("draining: this gateway is shutting down");
    // Stops listening at once: a balancer's next connection goes to another gateway.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const started = performance.now();
    const sockets = ws.wss.clients.size;
    const left = await drain.drain(opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    log.info(
      { sockets, left, ms: Math.round(performance.now() - started) },
      `drained: ${sockets - left} WebSockets closed with 1012 (service restart)` +
        (left > 0 ? `, ${left} cut after ${opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS} ms` : ""),
    );
    for (const client of ws.wss.clients) client.terminate();
    // HTTP requests in flight (emotes.send over HTTP) get a moment to be answered.
    const cut = setTimeout(() => server.closeAllConnections(), HTTP_GRACE_MS);
    await closed;
    clearTimeout(cut);
    ws.wss.close();
    await emotes.close();
    await producer.disconnect();
    await allowed.stop();
  };
  // The port first: one in use fails the start before this instance joins a consumer
  // group. Until the group is joined /readyz says "starting".
  const address = await listenOn(server, opts.port, opts.host);
  const url = `http://${address.address}:${address.port}`;
  let feeds: Awaited<ReturnType<typeof consumeLiveFeeds>>;
  try {
    feeds = await consumeLiveFeeds(bus, hub, { log, momentsReceived: metrics.momentsReceived, boards });
  } catch (err) {
    hub.close();
    await closeHttp();
    throw err;
  }
  const { consumer, groupId } = feeds;
  obs.readiness.add(groupMembershipCheck(bus, consumer, groupId));
  obs.readiness.add(databaseCheck(conn));

  return {
    url,
    port: address.port,
    hub,
    fanoutStats,
    limitCounters: () => counters,
    async close() {
      await closeHttp();
      await consumer.disconnect();
      hub.close();
    },
  };
}

/** The platform view's boards, starting from the newest stored one (if PostgreSQL answers now). */
async function trendingBoardsFrom(db: Database, log: Logger): Promise<TrendingBoards> {
  const boards = new TrendingBoards();
  try {
    const stored = trendingBoardSchema.safeParse(await loadLatestBoard(db));
    if (stored.success) boards.offer(stored.data);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, "the newest trending board was not read: the next one comes live");
  }
  return boards;
}
