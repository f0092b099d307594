import type { DetectorKind, Moment, TrendingBoard, WindowStats } from "@emote/contracts";
import { TRPCError } from "@trpc/server";

/**
 * Something that pushes items to listeners; returns the way to stop listening. A listener
 * may return how many subscribers it handed the item to (the server logs it per moment).
 */
export interface LiveFeed<T> {
  subscribe(listener: (item: T) => number | void): () => void;
}

/** The live procedures, as the server's metrics label them. */
export type LiveProcedure = "moments.live" | "stats.live" | "trending.live";

/** What the live procedures report to the server's metrics (optional). */
export interface LiveObserver {
  /** A subscription started; the returned function is called once when it ends. */
  opened(procedure: LiveProcedure): () => void;
  /** Items a subscription yielded through tRPC (the WebSocket fan-out counts its own frames). */
  delivered(count: number): void;
  /** Items a subscription dropped for falling more than MAX_QUEUED behind. */
  dropped(count: number): void;
}

/**
 * The moment log as one server delivers it: in position order, each position once (see
 * docs/architecture.md, Live subscriptions). A listener added now receives exactly the
 * moments from `nextPosition()` on.
 */
export interface MomentFeed extends LiveFeed<Moment> {
  /**
   * The position of the next moment the feed emits: every lower one was emitted (or came
   * before this server). Undefined while the server cannot read the moment log yet.
   */
  nextPosition(): number | undefined;
}

/** The platform view's boards: each replaces the last, in seq order. */
export interface TrendingFeed extends LiveFeed<TrendingBoard> {
  /** The newest board this server has (from the topic, or PostgreSQL at start). */
  latest(): TrendingBoard | undefined;
}

/** What the server feeds subscriptions with (from Kafka in production, anything in tests). */
export interface LiveSources {
  moments: MomentFeed;
  stats: LiveFeed<WindowStats> & {
    /** The latest stats of a streamer's recent minutes, oldest first. */
    recent(streamerId: string): WindowStats[];
  };
  /** Boards of the platform view (absent: trending.live answers SERVICE_UNAVAILABLE). */
  trending?: TrendingFeed;
  /**
   * Optional fast path for `moments.live` (the WebSocket server sets it per connection):
   * after the backfill the subscription hands itself over, and the server frames each live
   * moment for it directly, serialised once for all subscribers. Absent → the procedure
   * yields live moments itself (HTTP, callers in tests).
   */
  directMoments?: DirectMoments;
  /** Counts subscriptions and the items they deliver or drop (the server's metrics). */
  observer?: LiveObserver;
  /** The WebSocket the subscription writes to (set per connection; absent over HTTP and in tests). */
  connection?: LiveConnection;
}

/** A WebSocket connection's caps as the live procedures see them (apps/web connection-guard.ts). */
export interface LiveConnection {
  /** Most subscriptions the connection may have open at once. */
  readonly maxSubscriptions: number;
  /** Takes a subscription slot: the function gives it back; undefined when all are taken. */
  openSubscription(): (() => void) | undefined;
  /**
   * Undefined when the socket can take more frames now; else a promise that resolves once
   * it can (its buffer drained to half its budget) or once it is gone.
   */
  room(): Promise<void> | undefined;
}

/** A live subscription's items, and the way to end it. */
export interface LiveSubscription<T> {
  readonly items: Listening<T>;
  /** Stops listening and listens again from now (after falling behind), keeping the slot. */
  relisten(): Promise<void>;
  /** Gives back the connection's slot, ends the count and stops listening. */
  close(): Promise<void>;
}

/**
 * A live subscription starts: takes a slot of its connection (TOO_MANY_REQUESTS when all
 * are taken), counts it in the metrics, and listens to `feed` at once (items dropped for
 * falling behind are counted too) until `signal` aborts or `close` is called.
 */
export function subscribeLive<T>(
  live: LiveSources,
  procedure: LiveProcedure,
  feed: LiveFeed<T>,
  signal: AbortSignal,
  accept: (item: T) => boolean,
): LiveSubscription<T> {
  const release = live.connection?.openSubscription();
  if (live.connection && !release) {
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `too many subscriptions on this connection: at most ${live.connection.maxSubscriptions}; stop one first or open another connection`,
    });
  }
  const { observer } = live;
  const opened = observer?.opened(procedure);
  const listen = () => iterateFeed(feed, signal, accept, observer && (() => observer.dropped(1)));
  let items = listen();
  return {
    get items() {
      return items;
    },
    async relisten() {
      await items.return();
      items = listen();
    },
    async close() {
      release?.();
      opened?.();
      await items.return();
    },
  };
}

export interface DirectMomentsRequest {
  streamerId: string | undefined;
  lastEventId: string | null | undefined;
  /** The detectors whose moments the subscriber asked for (the input's, defaults applied). */
  kinds: readonly DetectorKind[];
  /** Live moments at or below this position were sent already (the client resumed from a server further on). */
  after: number;
  /** Moments that arrived during the backfill and must go out before the live ones. */
  pending: readonly Moment[];
  signal: AbortSignal;
}

export interface DirectMoments {
  /** True when the server now delivers this subscription's moments until `signal` aborts. */
  attach(request: DirectMomentsRequest): boolean;
}

export interface Listening<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
  /** Items dropped because the subscriber fell more than MAX_QUEUED behind. */
  dropped(): number;
  /** Takes every item queued so far, synchronously. */
  drain(): T[];
}

/** Most items a subscriber may have waiting; beyond it the oldest are dropped (and counted). */
export const MAX_QUEUED = 1_000;

/**
 * Turns a feed into an async iterator that ends when `signal` aborts — tRPC subscriptions
 * that ignore the signal keep running after the client has gone. Starts listening at
 * once, so nothing published while the caller does other work (a backfill) is missed.
 */
export function iterateFeed<T>(
  feed: LiveFeed<T>,
  signal: AbortSignal | undefined,
  accept: (item: T) => boolean = () => true,
  onDrop?: () => void,
): Listening<T> {
  const queue: T[] = [];
  let dropped = 0;
  let wake: (() => void) | undefined;
  let done = false;
  const stop = () => {
    done = true;
    unsubscribe();
    wake?.();
  };
  const unsubscribe = feed.subscribe((item) => {
    if (!accept(item)) return 0;
    queue.push(item);
    if (queue.length > MAX_QUEUED) {
      queue.shift();
      dropped++;
      onDrop?.();
    }
    wake?.();
    return 1;
  });
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  const iterator: Listening<T> = {
    dropped: () => dropped,
    drain: () => queue.splice(0, queue.length),
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next(): Promise<IteratorResult<T>> {
      while (queue.length === 0 && !done) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (queue.length > 0) return { done: false, value: queue.shift() as T };
      return { done: true, value: undefined };
    },
    async return(): Promise<IteratorResult<T>> {
      stop();
      signal?.removeEventListener("abort", stop);
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
