import { parseArgs } from "node:util";

/** The server's address as given, checked: an http(s) URL. */
function serverUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new Error(`--url must be an http:// or https:// URL, not "${value}"`);
  }
  return value;
}

export const HELP = `Usage: npm start -w @emote/example-node-client -- [--url URL] [--streamer ID] [--token TOKEN]

Prints every significant moment as it is detected, and what it missed when it reconnects.
  --url       the Emote Pulse web server (default $EMOTE_URL or http://127.0.0.1:3000)
  --streamer  only this streamer's moments (default: all)
  --token     a bearer token from \`npm run token\` (default $EMOTE_TOKEN; none = viewer)`;

export function readOptions(argv: string[]): {
  url: string;
  streamerId?: string;
  token?: string;
  help: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string", default: process.env.EMOTE_URL ?? "http://127.0.0.1:3000" },
      streamer: { type: "string" },
      token: { type: "string", default: process.env.EMOTE_TOKEN },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  return {
    url: values.help ? values.url : serverUrl(values.url),
    help: values.help,
    ...(values.streamer !== undefined && { streamerId: values.streamer }),
    ...(values.token !== undefined && { token: values.token }),
  };
}

export const REACT_HELP = `Usage: npm run react -w @emote/example-node-client -- --emote 🔥 [--streamer ID] [--count N] [--per-second R] [--url URL] [--token TOKEN]

Sends emotes as a viewer with the typed client (emotes.send, over the WebSocket), each
answered once Kafka has it; waits as long as the server asks when it is limited.
  --emote       the emote to send (one of the streamer's allowed emotes)
  --streamer    the streamer reacted to (default "default")
  --count       how many (default 10)
  --per-second  how fast (default 2; the server allows 10 a second per viewer by default)
  --url         the Emote Pulse web server (default $EMOTE_URL or http://127.0.0.1:3000)
  --token       a bearer token from \`npm run token\` (default $EMOTE_TOKEN; none = counted by address)`;

export interface ReactOptions {
  url: string;
  streamerId: string;
  emote: string;
  count: number;
  perSecond: number;
  token?: string;
  help: boolean;
}

export function readReactOptions(argv: string[]): ReactOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string", default: process.env.EMOTE_URL ?? "http://127.0.0.1:3000" },
      streamer: { type: "string", default: "default" },
      emote: { type: "string" },
      count: { type: "string", default: "10" },
      "per-second": { type: "string", default: "2" },
      token: { type: "string", default: process.env.EMOTE_TOKEN },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const count = Number(values.count);
  const perSecond = Number(values["per-second"]);
  if (!values.help) {
    if (!values.emote) throw new Error("--emote is required");
    if (!Number.isInteger(count) || count < 1) throw new Error("--count must be a whole number ≥ 1");
    if (!(perSecond > 0 && perSecond <= 1000))
      throw new Error("--per-second must be above 0 and at most 1000");
  }
  return {
    url: values.help ? values.url : serverUrl(values.url),
    streamerId: values.streamer,
    emote: values.emote ?? "",
    count,
    perSecond,
    help: values.help,
    ...(values.token !== undefined && { token: values.token }),
  };
}
