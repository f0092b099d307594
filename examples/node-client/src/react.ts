import { setTimeout as sleep } from "node:timers/promises";
import { TRPCClientError, closeEmotePulseClient, type ErrorData } from "@emote-pulse/client";
import { firstCall, startExample } from "./connect.ts";
import { REACT_HELP, readReactOptions } from "./env.ts";

const { options, client } = startExample("react", REACT_HELP, readReactOptions);

// emotes.send goes over the WebSocket, which keeps retrying an unreachable server: one
// HTTP call first tells a wrong --url at once.
await firstCall("react", options.url, () => client.auth.whoami.query());

let sent = 0;
let exitCode = 0;
while (sent < options.count) {
  try {
    const { id, timestamp } = await client.emotes.send.mutate({
      streamerId: options.streamerId,
      emote: options.emote,
    });
    sent++;
    console.log(`${timestamp}  ${options.streamerId}  ${options.emote}  ${id}`);
    await sleep(1000 / options.perSecond);
  } catch (err) {
    // Limited or the server busy: wait as long as it says, then go on. Anything else is final.
    const data = err instanceof TRPCClientError ? (err.data as ErrorData | undefined) : undefined;
    if (data?.code === "TOO_MANY_REQUESTS" || data?.code === "SERVICE_UNAVAILABLE") {
      const wait = data.retryAfterSeconds ?? 1;
      console.error(`react: ${(err as Error).message} (waiting ${wait} s)`);
      await sleep(wait * 1000);
      continue;
    }
    console.error(`react: ${(err as Error).message}`);
    exitCode = 1;
    break;
  }
}
console.log(`sent ${sent} of ${options.count}`);
await closeEmotePulseClient(client);
process.exit(exitCode);
