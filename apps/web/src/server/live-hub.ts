import type { LiveSources } from "@emote/api";
import type { Moment, WindowStats } from "@emote/contracts";
import { SpanKind, traceIdOf, type Logger, type Tracing } from "@emote/observability";

type Listener<T> = (item: T) => number | void;

class Fanout<T> {
  private readonly listeners = new Set<Listener<T>>();
  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Returns how many subscribers the listeners handed the item to. */
  emit(item: T): number {
    let subscribers = 0;
    for (const l of this.listeners) subscribers += l(item) ?? 0;
    return subscribers;
  }
}

/** How many recent moment ids are remembered to drop a worker's republished duplicates. */
const SEEN_IDS = 20_000;
/** Minutes of stats kept per streamer for subscribers that join late. */
const RECENT_MINUTES = 15;

/**
 * The server's in-memory side of the live feeds: moments and window stats arrive from
 * Kafka (or anything else in tests) and go out to every matching subscription.
 */
export class LiveHub {
  private readonly tracing: Tracing | undefined;
  private readonly log: Logger | undefined;
  private readonly momentFanout = new Fanout<Moment>();
  private readonly statsFanout = new Fanout<WindowStats>();
  private readonly seen = new Set<string>();
  private readonly recentStats = new Map<string, Map<string, WindowStats>>();

  readonly sources: LiveSources = {
    moments: { subscribe: (l) => this.momentFanout.subscribe(l) },
    stats: {
      subscribe: (l) => this.statsFanout.subscribe(l),
      recent: (streamerId) =>
        [...(this.recentStats.get(streamerId)?.values() ?? [])].sort((a, b) =>
          a.windowStart.localeCompare(b.windowStart),
        ),
    },
  };

  /** Tracing: a span per moment delivered (child of its traceparent); log: a debug line per moment. */
  constructor(opts: { tracing?: Tracing; log?: Logger } = {}) {
    this.tracing = opts.tracing;
    this.log = opts.log;
  }

  /**
   * Publishes moments once each (a worker that crashed may have published some again);
   * returns how many were new. Each goes to subscribers as it came, its traceparent (the
   * worker's) unchanged; its span and debug line are made whether or not anyone listens,
   * so a trace shows the moment reached this server.
   */
  publishMoments(moments: readonly Moment[]): number {
    let fresh = 0;
    for (const m of moments) {
      if (this.seen.has(m.id)) continue;
      fresh++;
      this.seen.add(m.id);
      if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
      const span =
        m.traceparent === undefined
          ? undefined
          : this.tracing?.startSpan("moment deliver", {
              parent: m.traceparent,
              kind: SpanKind.CONSUMER,
              attributes: {
                "emote.moment_id": m.id,
                "emote.streamer_id": m.streamerId,
                "emote.emote": m.emote,
              },
            });
      const subscribers = this.momentFanout.emit(m);
      span?.end();
      if (this.log?.isLevelEnabled("debug")) {
        this.log.debug(
          { momentId: m.id, streamerId: m.streamerId, traceId: traceIdOf(m.traceparent), subscribers },
          "moment delivered",
        );
      }
    }
    return fresh;
  }

  publishStats(stats: WindowStats): void {
    let minutes = this.recentStats.get(stats.streamerId);
    if (!minutes) {
      minutes = new Map();
      this.recentStats.set(stats.streamerId, minutes);
    }
    minutes.set(stats.windowStart, stats);
    const oldest = Date.parse(stats.windowStart) - RECENT_MINUTES * 60_000;
    for (const key of minutes.keys()) if (Date.parse(key) < oldest) minutes.delete(key);
    this.statsFanout.emit(stats);
  }
}
