import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { createEmoteClient, type EmoteClient } from "@emote/api/client";
import type { Bus } from "@emote/bus";
import type { Moment } from "@emote/contracts";
import { commitAnalysis, type Database } from "@emote/db";

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

/**
 * Publishes moments to the bus's aggregated-emote-data (one record each, or all in one),
 * as they are: a gateway emits only moments with a position (see `storeAndPublish`).
 */
export async function publishMoments(
  bus: Bus,
  moments: Moment[],
  record: "each" | "one" = "each",
): Promise<void> {
  const producer = await bus.producer();
  const records =
    record === "one"
      ? [{ key: moments[0]?.streamerId ?? "k", value: JSON.stringify(moments) }]
      : moments.map((m) => ({ key: m.streamerId, value: JSON.stringify([m]) }));
  await producer.send([{ topic: bus.topics.aggregated, records }]);
  await producer.disconnect();
}

/**
 * What the worker does with the moments of a batch: store them (numbered in the moment
 * log), then publish them with their positions. Sets each moment's `position`.
 */
export async function storeAndPublish(
  db: Database,
  bus: Bus,
  moments: Moment[],
  record: "each" | "one" = "each",
): Promise<void> {
  const positions = await commitAnalysis(db, {
    groupId: `live-it-${randomUUID()}`,
    topic: "live-it",
    partition: 0,
    nextOffset: 1n,
    streamers: [],
    moments,
  });
  moments.forEach((m, i) => (m.position = positions[i]));
  await publishMoments(bus, moments, record);
}
