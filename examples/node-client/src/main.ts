import WebSocket from "ws";
import { closeEmoteClient, createEmoteClient } from "@emote/api/client";
import { HELP, readOptions } from "./env.ts";

let options;
try {
  options = readOptions(process.argv.slice(2));
} catch (err) {
  console.error(`node-client: ${(err as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (options.help) {
  console.log(HELP);
  process.exit(0);
}

// Node 20 has no global WebSocket; the client takes the `ws` package's.
const client = createEmoteClient({
  url: options.url,
  token: options.token ?? null,
  WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
});

const who = await client.auth.whoami.query();
console.log(`connected to ${options.url} as ${who.role}${who.streamerId ? ` (${who.streamerId})` : ""}`);

const subscription = client.moments.live.subscribe(
  options.streamerId !== undefined ? { streamerId: options.streamerId } : {},
  {
    onData: ({ data: m }) =>
      console.log(
        `${m.timestamp}  ${m.streamerId.padEnd(12)} ${m.emote}  ${m.count}/${m.total} (${(m.ratio * 100).toFixed(0)}%)`,
      ),
    onError: (err) => console.error(`node-client: ${err.message}`),
  },
);

const stop = () => {
  subscription.unsubscribe();
  void closeEmoteClient(client).then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
