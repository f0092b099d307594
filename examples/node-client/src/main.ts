import { closeEmotePulseClient, isResumePositionLost } from "@emote-pulse/client";
import { firstCall, startExample } from "./connect.ts";
import { HELP, readOptions } from "./env.ts";

const { options, client } = startExample("node-client", HELP, readOptions);

const who = await firstCall("node-client", options.url, () => client.auth.whoami.query());
console.log(`connected to ${options.url} as ${who.role}${who.streamerId ? ` (${who.streamerId})` : ""}`);

// After a drop (a gateway draining in a rollout closes with 1012) the client reconnects by
// itself and resumes from the last moment; only a position that cannot be recovered ends it.
let subscription = follow();
function follow() {
  return client.moments.live.subscribe(
    options.streamerId !== undefined ? { streamerId: options.streamerId } : {},
    {
      onData: ({ data: m }) =>
        console.log(
          `${m.timestamp}  ${m.streamerId.padEnd(12)} ${m.emote}  ${m.count}/${m.total} (${(m.ratio * 100).toFixed(0)}%)`,
        ),
      onError: (err) => {
        if (!isResumePositionLost(err)) return console.error(`node-client: ${err.message}`);
        console.error("node-client: some moments were missed (see moments.history); following from now");
        subscription = follow();
      },
    },
  );
}

const stop = () => {
  subscription.unsubscribe();
  void closeEmotePulseClient(client).then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
