import { parseArgs } from "node:util";

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
    url: values.url,
    help: values.help,
    ...(values.streamer !== undefined && { streamerId: values.streamer }),
    ...(values.token !== undefined && { token: values.token }),
  };
}
