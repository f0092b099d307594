import { closeEmotePulseClient } from "@emote-pulse/client";
import { firstCall, startExample } from "./connect.ts";
import { HELP, readOptions } from "./env.ts";

const { options, client } = startExample("node-client", HELP, readOptions);

const who = await firstCall("node-client", options.url, () => client.auth.whoami.query());
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
  void closeEmotePulseClient(client).then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
