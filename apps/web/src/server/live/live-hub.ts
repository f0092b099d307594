import type { LiveSources } from "@emote/api";
import type { Moment, WindowStats } from "@emote/contracts";
import { errorMessage, SpanKind, traceIdOf, type Logger, type Tracing } from "@emote/observability";
import {
  DEFAULT_SEQUENCER_OPTIONS,
  MomentSequencer,
  type MomentLogReader,
  type SequencerOptions,
} from "./moment-sequencer.ts";

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

/** Minutes of stats kept per streamer for subscribers that join late. */
const RECENT_MINUTES = 15;

/**
 * The server's in-memory side of the live feeds: moments and window stats arrive from
 * Kafka (or anything else in tests) and go out to every matching subscription, moments
 * in the order of the moment log (moment-sequencer.ts).
 */
export class LiveHub {
  private readonly tracing: Tracing | undefined;
  private readonly log: Logger | undefined;
  private readonly momentFanout = new Fanout<Moment>();
  private readonly statsFanout = new Fanout<WindowStats>();
  private readonly sequencer: MomentSequencer;
  private readonly recentStats = new Map<string, Map<string, WindowStats>>();

  readonly sources: LiveSources = {
    moments: {
      subscribe: (l) => this.momentFanout.subscribe(l),
      nextPosition: () => this.sequencer.nextPosition(),
    },
    stats: {
      subscribe: (l) => this.statsFanout.subscribe(l),
      recent: (streamerId) =>
        [...(this.recentStats.get(streamerId)?.values() ?? [])].sort((a, b) =>
          a.windowStart.localeCompare(b.windowStart),
        ),
    },
  };

  /**
   * `momentLog`: the moment log in PostgreSQL (gaps are read from it). Tracing: a span per
   * moment delivered (child of its traceparent); log: a debug line per moment.
   */
  constructor(opts: {
    momentLog: MomentLogReader;
    sequencer?: Partial<SequencerOptions>;
    tracing?: Tracing;
    log?: Logger;
  }) {
    this.tracing = opts.tracing;
    this.log = opts.log;
    const log = opts.log;
    this.sequencer = new MomentSequencer(opts.momentLog, (m) => this.emitMoment(m), {
      ...DEFAULT_SEQUENCER_OPTIONS,
      ...opts.sequencer,
      failed: (err) =>
        log?.warn({ err: errorMessage(err) }, "moment log not read: tried again within a second"),
    });
  }

  /** Starts after the moment log's current end (or keeps trying to read it). Before any subscriber. */
  start(): Promise<void> {
    return this.sequencer.start();
  }

  close(): void {
    this.sequencer.close();
  }

  /**
   * Takes moments as they came from Kafka; returns how many were new. They go out in
   * position order, each once (a repeat, or one that comes after it was read from
   * PostgreSQL, is dropped).
   */
  publishMoments(moments: readonly Moment[]): number {
    return this.sequencer.offer(moments);
  }

  /**
   * One moment of the log to subscribers, its traceparent (the worker's) unchanged; its
   * span and debug line are made whether or not anyone listens, so a trace shows the
   * moment reached this server.
   */
  private emitMoment(m: Moment): void {
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
