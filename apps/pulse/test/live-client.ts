import WebSocket from "ws";
import { createEmoteClient, type EmoteClient } from "@emote/api/client";
import type { Moment, TrendingBoard } from "@emote/contracts";

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

/** The first board `trending.live` delivers that `wanted` accepts; the subscription then ends. */
export function nextBoard(api: EmoteClient, wanted: (b: TrendingBoard) => boolean): Promise<TrendingBoard> {
  return new Promise((resolve, reject) => {
    const sub = api.trending.live.subscribe(undefined, {
      onData: ({ data }) => {
        if (!wanted(data)) return;
        sub.unsubscribe();
        resolve(data);
      },
      onError: reject,
    });
  });
}
