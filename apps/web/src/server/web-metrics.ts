import type { LiveObserver, LiveProcedure } from "@emote/api";
import { Counter, Gauge, type Registry } from "@emote/observability";
import type { LimitCounters } from "./limits/connection-guard.ts";
import type { EmoteCounters } from "./emotes/emote-ingest.ts";
import { registerEmoteMetrics } from "./emotes/emote-metrics.ts";
import type { FanoutCounters } from "./live/moment-fanout.ts";

/** Where the web server's metrics read what others count, once the server exists. */
export interface WebMetricSources {
  /** Open WebSocket connections now. */
  connections(): number;
  /** The moments.live fan-out's counters (undefined without it). */
  fanout(): FanoutCounters | undefined;
  /** What the per-client limits refused or cut (budgets, keep-alive, caps). */
  limits(): LimitCounters;
  /** emotes.send's counters (accepted, limited, shed, failed, pending). */
  emotes(): EmoteCounters;
}

export interface WebMetrics {
  /** Moments read from aggregated-emote-data (valid records, before duplicates are dropped). */
  momentsReceived: Counter;
  /** Handed to the live procedures (LiveSources.observer): subscriptions and tRPC's deliveries. */
  observer: LiveObserver;
  /** Counts a call or connection attempt refused by a rate limit. */
  rateLimited(limit: "mutation" | "connection"): void;
  /** Sets what the connection gauge and the fan-out's counters read at each scrape. */
  readFrom(sources: WebMetricSources): void;
}

const PROCEDURES: readonly LiveProcedure[] = ["moments.live", "stats.live"];

/**
 * The web server's metrics on `registry`. What the fan-out already counts (frames sent,
 * dropped, slow sockets terminated) is read from it at scrape time, not counted twice;
 * the hot path only bumps plain numbers.
 */
export function createWebMetrics(registry: Registry): WebMetrics {
  let sources: WebMetricSources | undefined;
  // Items tRPC's own subscription path delivered or dropped (the fan-out counts its own).
  const viaTrpc = { delivered: 0, dropped: 0 };

  new Gauge({
    name: "emote_web_websocket_connections",
    help: "Open WebSocket connections",
    registers: [registry],
    collect() {
      this.set(sources?.connections() ?? 0);
    },
  });
  const subscriptions = new Gauge({
    name: "emote_web_subscriptions_active",
    help: "Active tRPC subscriptions by procedure (WebSocket and HTTP)",
    labelNames: ["procedure"],
    registers: [registry],
  });
  for (const procedure of PROCEDURES) subscriptions.set({ procedure }, 0);

  const momentsReceived = new Counter({
    name: "emote_web_moments_received_total",
    help: "Distinct moments received from aggregated-emote-data (one republished after a worker crash counts once)",
    registers: [registry],
  });
  /** A counter whose value is read at scrape time. */
  const readCounter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  readCounter(
    "emote_web_messages_delivered_total",
    "Subscription messages (moments, window stats) sent to clients",
    () => viaTrpc.delivered + (sources?.fanout()?.framesSent ?? 0),
  );
  readCounter(
    "emote_web_messages_dropped_total",
    "Subscription messages (and other WebSocket frames) not sent because the client was too far behind",
    () => viaTrpc.dropped + (sources?.limits().framesDropped ?? 0),
  );
  readCounter(
    "emote_web_slow_client_disconnects_total",
    "WebSocket connections terminated for going over their buffer budget",
    () => sources?.limits().disconnects ?? 0,
  );
  readCounter(
    "emote_web_pong_timeouts_total",
    "WebSocket connections terminated for not answering the server's ping in time",
    () => sources?.limits().pongTimeouts ?? 0,
  );
  readCounter(
    "emote_web_idle_closes_total",
    "WebSocket connections closed for sitting idle without a subscription",
    () => sources?.limits().idleCloses ?? 0,
  );
  new Counter({
    name: "emote_web_limit_refusals_total",
    help: "Requests refused by a per-client cap, by cap",
    labelNames: ["limit"],
    registers: [registry],
    collect() {
      const refused = sources?.limits().refused;
      this.reset();
      this.inc({ limit: "connections_per_address" }, refused?.connectionsPerAddress ?? 0);
      this.inc({ limit: "subscriptions_per_connection" }, refused?.subscriptionsPerConnection ?? 0);
      this.inc({ limit: "body_size" }, refused?.bodySize ?? 0);
    },
  });

  const rateLimited = new Counter({
    name: "emote_web_rate_limited_total",
    help: "Mutations and WebSocket connection attempts refused with TOO_MANY_REQUESTS, by limit",
    labelNames: ["limit"],
    registers: [registry],
  });
  for (const limit of ["mutation", "connection"]) rateLimited.inc({ limit }, 0);
  registerEmoteMetrics(registry, () => sources?.emotes());

  return {
    momentsReceived,
    rateLimited: (limit) => rateLimited.inc({ limit }),
    observer: {
      opened(procedure) {
        subscriptions.inc({ procedure });
        let open = true;
        return () => {
          if (open) subscriptions.dec({ procedure });
          open = false;
        };
      },
      delivered: (n) => void (viaTrpc.delivered += n),
      dropped: (n) => void (viaTrpc.dropped += n),
    },
    readFrom(s) {
      sources = s;
    },
  };
}
