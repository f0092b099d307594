import { Counter, Gauge, type Registry } from "@emote/observability";
import type { EmoteCounters } from "./emote-ingest.ts";

/**
 * emotes.send's metrics, read from the ingest's plain counters at scrape time: the hot path
 * does no label lookups.
 */
export function registerEmoteMetrics(registry: Registry, read: () => EmoteCounters | undefined): void {
  const counter = (name: string, help: string, value: (c: EmoteCounters) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const c = read();
        this.reset();
        this.inc(c ? value(c) : 0);
      },
    });
  counter(
    "emote_web_emotes_accepted_total",
    "Viewers' emotes acknowledged by Kafka (emotes.send answered)",
    (c) => c.accepted,
  );
  counter(
    "emote_web_emotes_limited_total",
    "emotes.send refused with TOO_MANY_REQUESTS by the per-viewer limit",
    (c) => c.limited,
  );
  counter(
    "emote_web_emotes_failed_total",
    "emotes.send answered SERVICE_UNAVAILABLE because Kafka failed, was late or away",
    (c) => c.failed,
  );
  new Counter({
    name: "emote_web_emotes_shed_total",
    help: "emotes.send refused to protect the gateway or a streamer, by reason",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      const shed = read()?.shed;
      this.reset();
      this.inc({ reason: "streamer_cap" }, shed?.streamer_cap ?? 0);
      this.inc({ reason: "overloaded" }, shed?.overloaded ?? 0);
      this.inc({ reason: "queue_full" }, shed?.queue_full ?? 0);
    },
  });
  new Gauge({
    name: "emote_web_emotes_pending",
    help: "Viewers' emotes waiting for Kafka's acknowledgement (queued or on the wire)",
    registers: [registry],
    collect() {
      this.set(read()?.pending() ?? 0);
    },
  });
}
