import WebSocket from "ws";
import { createTRPCClient, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@emote/api";
import { emoteLinks } from "@emote/api/client";

type Client = TRPCClient<AppRouter>;

/** A client as the SDK makes it (the same links: full-jitter reconnects, resume by last event id). */
function connect(url: string): { client: Client; socket: ReturnType<typeof emoteLinks>["wsClient"] } {
  const { links, wsClient } = emoteLinks({
    url,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  return { client: createTRPCClient<AppRouter>({ links }), socket: wsClient };
}

/**
 * Measures how long each of a client's reconnects took: from its socket closing to the
 * next one open (tRPC's "pending").
 */
function watchReconnects(socket: ReturnType<typeof emoteLinks>["wsClient"], into: number[]): () => void {
  let open = false;
  let downSince: number | undefined;
  const sub = socket.connectionState.subscribe({
    next(state) {
      if (state.state === "pending") {
        if (downSince !== undefined) into.push(Math.round(performance.now() - downSince));
        downSince = undefined;
        open = true;
      } else if (open && downSince === undefined) downSince = performance.now();
    },
  });
  return () => sub.unsubscribe();
}

/** A `moments.live` subscriber of one streamer from a given moment: every delivery's position, in arrival order. */
export class Subscriber {
  readonly positions: number[] = [];
  readonly reconnectsMs: number[] = [];
  error: string | undefined;
  private readonly client: Client;
  private readonly socket: ReturnType<typeof emoteLinks>["wsClient"];
  private readonly stopWatching: () => void;
  private unsubscribe: () => void = () => undefined;

  constructor(
    url: string,
    readonly streamerId: string,
  ) {
    ({ client: this.client, socket: this.socket } = connect(url));
    this.stopWatching = watchReconnects(this.socket, this.reconnectsMs);
  }

  /** Subscribes after `lastEventId`; resolves once the server took the subscription. */
  start(lastEventId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const sub = this.client.moments.live.subscribe(
        { streamerId: this.streamerId, lastEventId },
        {
          onStarted: () => resolve(),
          onData: ({ data }) => this.positions.push(data.position ?? -1),
          onError: (err) => {
            this.error = err.message;
            reject(err);
          },
        },
      );
      this.unsubscribe = () => sub.unsubscribe();
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.stopWatching();
    await this.socket.close();
  }
}

/** The server's error code and message, or how the socket closed when no answer came. */
function refusalReason(err: unknown): string {
  const e = err as { message?: string; data?: { code?: string }; cause?: { code?: number; name?: string } };
  if (e.data?.code) return `${e.data.code}: ${(e.message ?? "").replace(/\d+ ms late/, "… ms late")}`;
  if (e.cause?.name === "AbortError" || e.cause?.name === "TimeoutError")
    return `unanswered: no answer within ${SEND_TIMEOUT_MS / 1000} s`;
  return e.cause?.code !== undefined
    ? `unanswered: socket closed ${e.cause.code}`
    : `unanswered: ${e.message ?? ""}`;
}

const SEND_TIMEOUT_MS = 15_000;

/** One emotes.send as a viewer saw it. */
export interface SendOutcome {
  phase: string;
  /** The emote's id when acknowledged, else undefined (refused or unanswered). */
  id: string | undefined;
}

/**
 * A viewer reacting at a steady pace over its WebSocket (emotes.send), one call at a time:
 * each outcome is kept with the phase it was sent in.
 */
export class Viewer {
  readonly outcomes: SendOutcome[] = [];
  readonly refusals = new Map<string, number>();
  private readonly client: Client;
  private readonly socket: ReturnType<typeof emoteLinks>["wsClient"];
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  constructor(url: string) {
    ({ client: this.client, socket: this.socket } = connect(url));
  }

  start(streamerId: string, everyMs: number, phase: () => string): void {
    this.loop = (async () => {
      // Spread the viewers' first sends over one interval.
      await new Promise((r) => setTimeout(r, Math.random() * everyMs));
      while (this.running) {
        const at = performance.now();
        const sentIn = phase();
        try {
          const sent = await this.client.emotes.send.mutate(
            { streamerId, emote: "🔥" },
            // A call that gets no answer at all counts as refused rather than stalling the viewer.
            { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
          );
          this.outcomes.push({ phase: sentIn, id: sent.id });
        } catch (err) {
          this.outcomes.push({ phase: sentIn, id: undefined });
          const reason = refusalReason(err);
          this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (performance.now() - at))));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    // The outcomes are in; closing waits on calls still pending, which the rehearsal does not need.
    void this.socket.close();
  }
}
