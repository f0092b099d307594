import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { TRPCClientError, closeEmoteClient, createEmoteClient } from "@emote/api/client";
import { REACT_HELP, readReactOptions } from "./env.ts";

let options;
try {
  options = readReactOptions(process.argv.slice(2));
} catch (err) {
  console.error(`react: ${(err as Error).message}\n\n${REACT_HELP}`);
  process.exit(2);
}
if (options.help) {
  console.log(REACT_HELP);
  process.exit(0);
}

const client = createEmoteClient({
  url: options.url,
  token: options.token ?? null,
  WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
});

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
    const data =
      err instanceof TRPCClientError
        ? (err.data as { code?: string; retryAfterSeconds?: number | null })
        : undefined;
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
await closeEmoteClient(client);
process.exit(exitCode);
