import { EmoteRefusedError, type CallLimiter, type EmoteIngest } from "@emote/api";
import type { BusProducer } from "@emote/bus";
import type { EmoteOptions } from "./emote-env.ts";
import { StreamerCap, viewerEmoteLimiter } from "./emote-limits.ts";
import { EmotePublisher } from "./emote-publisher.ts";
import { EmoteStamper, ViewerIds } from "./emote-records.ts";
import { EventLoopLag } from "./event-loop-lag.ts";

/** What the emote metrics read at scrape time: plain numbers the hot path bumps. */
export interface EmoteCounters {
  accepted: number;
  /** Refused by the per-viewer limit. */
  limited: number;
  /** Refused to protect the gateway or the streamer, by reason. */
  shed: { streamer_cap: number; overloaded: number; queue_full: number };
  /** Answered SERVICE_UNAVAILABLE because Kafka failed, was late or away. */
  failed: number;
  /** Emotes queued or on the wire now. */
  pending(): number;
}

export interface RunningEmoteIngest {
  ingest: EmoteIngest;
  /** The per-viewer limit, for the tRPC context's limits. */
  viewerLimiter: CallLimiter;
  counters: EmoteCounters;
  /** Sends what is queued (bounded by the ack timeout of each request) and stops sampling. */
  close(): Promise<void>;
}

/**
 * The gateway's emotes.send behind the API's EmoteIngest port: the allowed emotes it is
 * given (allowed-emotes.ts follows them), the streamer cap and event-loop guard, the
 * stamping and the bounded, batching publisher onto the bus's `raw-emote-data`.
 */
export function createEmoteIngest(deps: {
  producer: Pick<BusProducer, "send">;
  topic: string;
  allowedEmotes: EmoteIngest["allowedEmotes"];
  authSecret: string;
  options: EmoteOptions;
}): RunningEmoteIngest {
  const { options } = deps;
  const publisher = new EmotePublisher(deps.producer, deps.topic, {
    maxPending: options.maxPending,
    lingerMs: options.lingerMs,
    maxBatch: options.maxBatch,
    ackTimeoutMs: options.ackTimeoutMs,
    retryAfterMs: 1_000,
  });
  const shed = { streamer_cap: 0, overloaded: 0 };
  let limited = 0;
  const counters: EmoteCounters = {
    get accepted() {
      return publisher.counters.acknowledged;
    },
    get limited() {
      return limited;
    },
    get shed() {
      return { ...shed, queue_full: publisher.counters.queueFull };
    },
    get failed() {
      return publisher.counters.failed;
    },
    pending: () => publisher.pending,
  };
  const cap = new StreamerCap(options.perStreamerPerSecond);
  const lag = new EventLoopLag(options.maxEventLoopLagMs);
  const stamper = new EmoteStamper(new ViewerIds(deps.authSecret));

  const ingest: EmoteIngest = {
    allowedEmotes: deps.allowedEmotes,
    async send({ streamerId, emote, viewerKey }) {
      if (lag.overloaded) {
        shed.overloaded++;
        throw new EmoteRefusedError(
          "overloaded",
          `this server is overloaded (its event loop runs ${Math.round(lag.currentMs)} ms late): try again in a moment`,
        );
      }
      const wait = cap.take(streamerId);
      if (wait !== undefined) {
        shed.streamer_cap++;
        throw new EmoteRefusedError(
          "streamer_cap",
          `streamer ${streamerId} is getting more than ${cap.perSecond} emotes a second: this one was dropped, retry in a moment`,
          wait,
        );
      }
      const stamped = stamper.stamp(streamerId, emote, viewerKey);
      await publisher.publish(stamped.record);
      return { id: stamped.id, timestamp: stamped.timestamp };
    },
  };
  return {
    ingest,
    viewerLimiter: viewerEmoteLimiter(options.perViewerPerSecond, options.perViewerBurst, () => limited++),
    counters,
    async close() {
      lag.stop();
      await publisher.close();
    },
  };
}
