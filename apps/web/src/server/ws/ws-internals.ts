import { Socket } from "node:net";
import type { Logger } from "@emote/observability";
import { WebSocket } from "ws";

/**
 * The internals of a ws 8 WebSocket the server relies on: the fan-out writes pre-built
 * frames to `_socket` when `_sender` is idle (moment-fanout.ts), and the buffer budget
 * hears the TCP socket's 'drain' there (connection-guard.ts). ws is pinned for them.
 */
export interface WsInternals {
  _socket: { write(chunk: Buffer): boolean; destroyed: boolean };
  _sender: { _state: number; _queue: unknown[] };
}

/** True when `socket` has the internals the fan-out writes through, with the types it relies on. */
export function hasWsInternals(socket: unknown): socket is WsInternals {
  const { _socket: tcp, _sender: sender } = (socket ?? {}) as {
    _socket?: { write?: unknown; destroyed?: unknown };
    _sender?: { _state?: unknown; _queue?: unknown };
  };
  return (
    typeof tcp?.write === "function" &&
    typeof tcp.destroyed === "boolean" &&
    typeof sender?._state === "number" &&
    Array.isArray(sender._queue)
  );
}

/**
 * The start-up check of the installed ws: a WebSocket set up on an unconnected TCP socket,
 * as WebSocketServer sets up every client it accepts, has the internals, its sender idle
 * and its `_socket` the TCP socket (so its 'drain' is the kernel's). False for a ws whose
 * internals changed; the fan-out then sends through `ws.send`.
 */
export function installedWsHasInternals(): boolean {
  const tcp = new Socket();
  try {
    // As WebSocketServer makes each client (the typings have no server-side constructor).
    const ServerSide = WebSocket as unknown as new (
      address: null,
      protocols: undefined,
      options: object,
    ) => WebSocket & { setSocket?: (socket: Socket, head: Buffer, options: { maxPayload: number }) => void };
    const ws = new ServerSide(null, undefined, {});
    ws.setSocket?.(tcp, Buffer.alloc(0), { maxPayload: 0 });
    return (
      hasWsInternals(ws) && ws._socket === tcp && ws._sender._state === 0 && ws._sender._queue.length === 0
    );
  } catch {
    return false;
  } finally {
    tcp.destroy();
  }
}

/**
 * Whether the fan-out and emotes.send may write pre-built frames under ws: the start-up check, with one
 * warning when it fails (the server then works as before, through ws.send).
 */
export function mayWriteRawFrames(
  log: Pick<Logger, "warn">,
  check: () => boolean = installedWsHasInternals,
): boolean {
  if (check()) return true;
  log.warn(
    "the installed ws lacks the internals the moments.live fan-out and emotes.send write through (_socket, _sender): " +
      "sending through ws.send instead (the same frames, more CPU per frame); paced backfills " +
      "may not hear the socket's drain (docs/decisions/004-hand-written-websocket-frames.md)",
  );
  return false;
}
