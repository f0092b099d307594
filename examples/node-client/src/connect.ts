import WebSocket from "ws";
import { TRPCClientError, createEmotePulseClient } from "@emote-pulse/client";

/**
 * The example's start: `read` parses the flags (a mistake prints it with `help`, exit 2;
 * `--help` prints `help`, exit 0), then a typed client for the server they name.
 */
export function startExample<O extends { help?: boolean; url: string; token?: string | undefined }>(
  name: string,
  help: string,
  read: (argv: string[]) => O,
): { options: O; client: ReturnType<typeof createEmotePulseClient> } {
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
  const client = createEmotePulseClient({ url: options.url, token: options.token ?? null, WebSocket });
  return { options, client };
}

/** The innermost cause's message: `connect ECONNREFUSED 127.0.0.1:1` rather than `fetch failed`. */
function rootCause(err: Error): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return (cause as Error).message;
}

/**
 * Runs the example's first call; when the server cannot be reached (no answer at all, as
 * opposed to an error it sends), prints one line naming the URL and exits 1.
 */
export async function firstCall<T>(name: string, url: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof TRPCClientError) || err.data !== undefined) throw err;
    console.error(`${name}: cannot reach the Emote Pulse server at ${url} (${rootCause(err)})`);
    // Exiting also ends the WebSocket's reconnection attempts.
    process.exit(1);
  }
}
