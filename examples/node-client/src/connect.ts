import WebSocket from "ws";
import { createEmoteClient } from "@emote/api/client";

/**
 * The example's start: `read` parses the flags (a mistake prints it with `help`, exit 2;
 * `--help` prints `help`, exit 0), then a typed client for the server they name.
 */
export function startExample<O extends { help?: boolean; url: string; token?: string | undefined }>(
  name: string,
  help: string,
  read: (argv: string[]) => O,
): { options: O; client: ReturnType<typeof createEmoteClient> } {
  let options: O;
  try {
    options = read(process.argv.slice(2));
  } catch (err) {
    console.error(`${name}: ${(err as Error).message}\n\n${help}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(help);
    process.exit(0);
  }
  // Node 20 has no global WebSocket; the client takes the `ws` package's.
  const client = createEmoteClient({
    url: options.url,
    token: options.token ?? null,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  return { options, client };
}
