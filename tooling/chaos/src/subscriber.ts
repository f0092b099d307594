import WebSocket from "ws";
import { closeEmoteClient, createEmoteClient, type EmoteClient } from "@emote/api/client";
import type { Moment } from "@emote/contracts";

/**
 * A WebSocket subscriber of `moments.live` as any client of the public protocol: it keeps
 * the last event id it received and, failed over to another gateway, subscribes there
 * with it. Every delivery is kept (repeats included) with when it arrived.
 */
export class LiveSubscriber {
  readonly deliveries: { at: number; moment: Moment }[] = [];
  private lastEventId: string | null = null;
  private client: EmoteClient | undefined;
  private unsubscribe: (() => void) | undefined;
  readonly errors: string[] = [];

  constructor(
    readonly name: string,
    readonly streamerId: string | undefined,
  ) {}

  /** Subscribes on `url` from the last event id (none at first: live from now). */
  async connect(url: string): Promise<void> {
    await this.close();
    const client = createEmoteClient({ url, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      const sub = client.moments.live.subscribe(
        {
          ...(this.streamerId !== undefined && { streamerId: this.streamerId }),
          lastEventId: this.lastEventId,
        },
        {
          onStarted: () => resolve(),
          onData: (event) => {
            this.lastEventId = event.id;
            this.deliveries.push({ at: Date.now(), moment: event.data });
          },
          onError: (err) => {
            this.errors.push(err.message);
            reject(err);
          },
        },
      );
      this.unsubscribe = () => sub.unsubscribe();
    });
  }

  /** The gateway went away (or is about to): continue on `url` from the last event id. */
  async failOver(url: string): Promise<void> {
    await this.connect(url);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.client) await closeEmoteClient(this.client);
    this.client = undefined;
  }
}
