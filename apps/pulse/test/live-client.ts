import WebSocket from "ws";
import { createEmoteClient, type EmoteClient } from "@emote/api/client";
import type { Moment } from "@emote/contracts";

export const client = (url: string, token?: string) =>
  createEmoteClient({
    url,
    token: token ?? null,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });

/** The next moment `moments.live` delivers for the streamer; the subscription then ends. */
export function nextLiveMoment(api: EmoteClient, streamerId: string): Promise<Moment> {
  return new Promise((resolve, reject) => {
    const sub = api.moments.live.subscribe(
      { streamerId },
      {
        onData: ({ data }) => {
          sub.unsubscribe();
          resolve(data);
        },
        onError: reject,
      },
    );
  });
}
