import WebSocket from "ws";
import { createEmoteClient, type EmoteClient } from "@emote/api/client";
import type { Bus } from "@emote/bus";
import type { Moment } from "@emote/contracts";

/**
 * A `moments.live` subscriber over WebSocket with the typed client; its client is pushed
 * onto `clients` for the test file to close. `started` resolves once the server took it.
 */
export function subscribeMoments(
  url: string,
  clients: EmoteClient[],
  streamerId: string,
  lastEventId?: string,
) {
  const client = createEmoteClient({ url, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
  clients.push(client);
  const received: Moment[] = [];
  let resolveStarted!: () => void;
  const started = new Promise<void>((r) => (resolveStarted = r));
  const sub = client.moments.live.subscribe(
    { streamerId, ...(lastEventId && { lastEventId }) },
    { onStarted: () => resolveStarted(), onData: (e) => received.push(e.data) },
  );
  return { client, received, started, stop: () => sub.unsubscribe() };
}

/** Publishes moments to the bus's aggregated-emote-data, one record each, as the worker does. */
export async function publishMoments(bus: Bus, moments: Moment[]): Promise<void> {
  const producer = await bus.producer();
  await producer.send([
    {
      topic: bus.topics.aggregated,
      records: moments.map((m) => ({ key: m.streamerId, value: JSON.stringify([m]) })),
    },
  ]);
  await producer.disconnect();
}
