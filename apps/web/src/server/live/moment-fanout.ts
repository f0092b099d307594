import type { DirectMoments, DirectMomentsRequest, LiveFeed } from "@emote/api";
import { momentKind, type DetectorKind, type Moment } from "@emote/contracts";
import { sendTextFrame, textFrame } from "../ws/ws-frames.ts";

/**
 * The fan-out path of `moments.live` over WebSocket.
 *
 * tRPC's stock WebSocket adapter drives one async iterator per subscription and runs
 * `JSON.stringify` on every event for every subscriber, and it never looks at a socket's
 * buffered amount. Here each moment is serialised once; each subscription only adds its
 * own prefix (`{"id":<op id>`), giving byte for byte what the stock adapter sends for a
 * tracked event (as a text frame), so `wsLink` clients (and their last-event-id resume)
 * work unchanged:
 *
 *   {"id":<op id>,"result":{"type":"data","data":{"id":"<moment id>","data":<moment>},"id":"<moment id>"}}
 *
 * How a subscription gets here: the procedure validates its input and sends the backfill
 * through tRPC as before, then calls `directMoments.attach()` (see @emote/api src/live/live.ts) and
 * waits for its abort signal. tRPC does not tell a procedure its operation id, so a
 * 'message' listener, added to each socket before tRPC's own, notes every `moments.live`
 * subscription request (id, streamerId, lastEventId, kinds); `attach` claims the oldest
 * noted request with the same input. Each subscription gets only the kinds it asked for
 * (the seed's rule when it named none), as the procedure's own path filters them. Two identical subscriptions on one socket are
 * interchangeable, except for which one a `subscription.stop` ends — documented limit.
 *
 * Bounded memory per socket: every frame asks the socket's buffer budget first
 * (socket-budget.ts, shared with everything tRPC sends on that socket); one over it is
 * dropped, the socket lags and is terminated, and the client resumes from its last event
 * id, the backfill filling the gap from PostgreSQL.
 */

/** The part of a ws.WebSocket the fan-out uses (a fake in unit tests). */
export interface FanoutSocket {
  readonly readyState: number;
  send(data: Buffer, options: { binary: false }): void;
  on(event: "message", listener: (data: unknown, isBinary: boolean) => void): unknown;
  once(event: "close", listener: () => void): unknown;
}

export interface FanoutCounters {
  /** Live subscriptions attached now. */
  subscriptions: number;
  framesSent: number;
}

/** The part of a socket's budget the fan-out uses. */
export interface FrameBudget {
  /** True: write a frame of `bytes` now; false: it is dropped (the budget counts it). */
  admit(bytes: number): boolean;
}

const OPEN = 1;

const MAX_NOTED_REQUESTS = 64;
const ALL = "\u0000all";

interface NotedRequest {
  /** `{"id":<op id>` (and the client's `jsonrpc`, echoed as tRPC does). */
  prefix: string;
  opId: string | number;
  streamerId: string | undefined;
  lastEventId: string | undefined;
  /** The kinds asked for, as `kindsKey` writes them. */
  kinds: string;
}

interface SocketState {
  socket: FanoutSocket;
  budget: FrameBudget;
  noted: NotedRequest[];
  dead: boolean;
}

interface Subscription {
  state: SocketState;
  prefix: string;
  /** Moments at or below this position were sent already (a client resumed from a server further on). */
  after: number;
  kinds: ReadonlySet<DetectorKind>;
}

/** The body of a tracked data frame after the op id: built once per moment. */
export function momentFrameBody(moment: Moment, momentJson: string = JSON.stringify(moment)): string {
  const id = JSON.stringify(moment.id);
  // Key order as the stock adapter's: result = { type, data }, then result.id is added.
  return `,"result":{"type":"data","data":{"id":${id},"data":${momentJson}},"id":${id}}}`;
}

export function framePrefix(opId: string | number, jsonrpc?: unknown): string {
  return `{"id":${JSON.stringify(opId)}${typeof jsonrpc === "string" ? `,"jsonrpc":${JSON.stringify(jsonrpc)}` : ""}`;
}

const norm = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * A request's kinds as one comparable text: absent means the procedure's default, the
 * seed's rule. Input the procedure refuses never attaches, so it needs no other care here.
 */
export function kindsKey(kinds: unknown): string {
  if (kinds === undefined) return "threshold";
  return Array.isArray(kinds) ? kinds.map(String).sort().join(",") : String(kinds);
}

export class MomentFanout {
  private readonly byStreamer = new Map<string, Set<Subscription>>();
  private readonly sockets = new WeakMap<FanoutSocket, SocketState>();
  private readonly counters = { framesSent: 0 };
  private attached = 0;
  private readonly unsubscribe: () => void;

  constructor(
    feed: LiveFeed<Moment>,
    /**
     * Write pre-built frames to the TCP socket (see writeRaw); false — the start-up check
     * found ws's internals changed — ws's `send`, the same frames.
     */
    private readonly raw = true,
  ) {
    this.unsubscribe = feed.subscribe((m) => this.publish(m));
  }

  /**
   * Starts watching a socket's requests. Call it from the WebSocketServer's 'connection'
   * event before tRPC's handler is attached, so this listener sees each message first.
   * Every frame for the socket goes under `budget` (the one its tRPC frames go under).
   */
  watch(socket: FanoutSocket, budget: FrameBudget): DirectMoments {
    const state: SocketState = { socket, budget, noted: [], dead: false };
    this.sockets.set(socket, state);
    socket.on("message", (data, isBinary) => {
      if (isBinary || !Buffer.isBuffer(data) || data.length < 20) return;
      // Looked for in the bytes: most frames (a crowd's emotes.send) are none of these, and
      // are not decoded here only to be decoded again by the listener that answers them.
      if (!data.includes("moments.live") && !data.includes("subscription.stop")) return;
      const text = data.toString("utf8");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return; // tRPC answers the parse error
      }
      for (const msg of Array.isArray(parsed) ? parsed : [parsed]) this.note(state, msg);
    });
    socket.once("close", () => {
      state.dead = true;
      state.noted.length = 0;
    });
    return { attach: (request) => this.attach(state, request) };
  }

  private note(state: SocketState, msg: unknown): void {
    if (typeof msg !== "object" || msg === null) return;
    const { id, method, params, jsonrpc } = msg as Record<string, unknown>;
    if (typeof id !== "string" && typeof id !== "number") return;
    if (method === "subscription.stop") {
      state.noted = state.noted.filter((n) => n.opId !== id);
      return;
    }
    if (method !== "subscription" || typeof params !== "object" || params === null) return;
    const p = params as Record<string, unknown>;
    if (p.path !== "moments.live") return;
    const input = (typeof p.input === "object" && p.input !== null ? p.input : {}) as Record<string, unknown>;
    state.noted.push({
      prefix: framePrefix(id, jsonrpc),
      opId: id,
      streamerId: norm(input.streamerId),
      // tRPC puts params.lastEventId into the input, over the input's own.
      lastEventId: norm(p.lastEventId ?? input.lastEventId),
      kinds: kindsKey(input.kinds),
    });
    if (state.noted.length > MAX_NOTED_REQUESTS) state.noted.shift();
  }

  private attach(state: SocketState, request: DirectMomentsRequest): boolean {
    if (state.dead || request.signal.aborted) return false;
    const streamerId = norm(request.streamerId);
    const lastEventId = norm(request.lastEventId);
    const kinds = kindsKey(request.kinds);
    const index = state.noted.findIndex(
      (n) => n.streamerId === streamerId && n.lastEventId === lastEventId && n.kinds === kinds,
    );
    const noted = state.noted[index];
    if (!noted) return false; // not matched: the procedure yields through tRPC as before
    state.noted.splice(index, 1);
    const sub: Subscription = {
      state,
      prefix: noted.prefix,
      after: request.after,
      kinds: new Set(request.kinds),
    };
    for (const m of request.pending) this.deliver(sub, momentFrameBody(m));
    const key = streamerId ?? ALL;
    let set = this.byStreamer.get(key);
    if (!set) this.byStreamer.set(key, (set = new Set()));
    set.add(sub);
    this.attached++;
    request.signal.addEventListener(
      "abort",
      () => {
        const s = this.byStreamer.get(key);
        if (s?.delete(sub)) this.attached--;
        if (s?.size === 0) this.byStreamer.delete(key);
      },
      { once: true },
    );
    return true;
  }

  /**
   * One moment to every matching subscription: serialised once (as it came, traceparent
   * included), framed per subscription. Returns how many subscriptions it went to.
   */
  publish(moment: Moment): number {
    const forStreamer = this.byStreamer.get(moment.streamerId);
    const forAll = this.byStreamer.get(ALL);
    if (!forStreamer && !forAll) return 0;
    const body = momentFrameBody(moment);
    // Clients number their operations from 1, so most subscriptions share a prefix: each
    // distinct frame is encoded to bytes once and the same Buffer goes to every socket.
    const frames = new Map<string, { payload: Buffer; frame?: Buffer }>();
    const position = moment.position ?? Number.POSITIVE_INFINITY;
    const kind = momentKind(moment);
    const wants = (sub: Subscription) => position > sub.after && sub.kinds.has(kind);
    if (forStreamer) for (const sub of forStreamer) if (wants(sub)) this.deliver(sub, body, frames);
    if (forAll) for (const sub of forAll) if (wants(sub)) this.deliver(sub, body, frames);
    return (forStreamer?.size ?? 0) + (forAll?.size ?? 0);
  }

  private deliver(
    sub: Subscription,
    body: string,
    frames?: Map<string, { payload: Buffer; frame?: Buffer }>,
  ): void {
    const state = sub.state;
    const socket = state.socket;
    if (state.dead || socket.readyState !== OPEN) return;
    let encoded = frames?.get(sub.prefix);
    if (!encoded) {
      encoded = { payload: Buffer.from(sub.prefix + body, "utf8") };
      frames?.set(sub.prefix, encoded);
    }
    if (!state.budget.admit(encoded.payload.length)) return;
    this.counters.framesSent++;
    if (this.raw) encoded.frame ??= textFrame(encoded.payload);
    sendTextFrame(socket, encoded.payload, encoded.frame);
  }

  stats(): FanoutCounters {
    return { subscriptions: this.attached, ...this.counters };
  }

  close(): void {
    this.unsubscribe();
    this.byStreamer.clear();
  }
}
