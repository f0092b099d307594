// An app outside the repository, as its author would write it: it installs
// @emote-pulse/client, follows live moments and sends an emote as a viewer.
import WebSocket from "ws";
import { closeEmotePulseClient, createEmotePulseClient, type Moment } from "@emote-pulse/client";

const url = process.env["EMOTE_URL"] ?? "http://127.0.0.1:3000";
const client = createEmotePulseClient({ url, token: process.env["EMOTE_TOKEN"], WebSocket });

const nextMoment = new Promise<Moment>((resolve, reject) => {
  const subscription = client.moments.live.subscribe(
    { streamerId: "default" },
    {
      onData: ({ data }) => {
        subscription.unsubscribe();
        resolve(data);
      },
      onError: reject,
    },
  );
});
const { allowedEmotes } = await client.settings.get.query({ streamerId: "default" });
const emote = allowedEmotes[0] ?? "🔥";
const sent = await client.emotes.send.mutate({ streamerId: "default", emote });
const moment = await nextMoment;
console.log(JSON.stringify({ moment, sent, emote }));
await closeEmotePulseClient(client);

/** Never called: each marked line must be a type error, or the package's types were lost (`any`). */
export function typeProbes(m: Moment): unknown {
  // @ts-expect-error a moment's count is a number
  const count: string = m.count;
  // @ts-expect-error emotes.send takes no timestamp: the server sets it
  return [count, client.emotes.send.mutate({ streamerId: "default", emote: "x", timestamp: "now" })];
}
