import { hasWsInternals } from "./ws-internals.ts";

/*
 * Pre-built WebSocket frames written straight to the TCP socket, for the server's hottest
 * answers: the moments.live fan-out (moment-fanout.ts) and emotes.send (ws-emotes.ts).
 */

/** A whole WebSocket text frame (server to client, unmasked) around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81; // FIN + text
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * Writes a pre-built frame straight to the TCP socket under a ws 8 WebSocket, skipping
 * ws's per-send framing (header allocation, cork + two writes): the same bytes ws would
 * write, and still counted in `bufferedAmount`. Only when ws's sender is idle (no
 * compression is on, so it always is) — otherwise false and the caller uses `send`.
 * Relies on ws internals (ws-internals.ts: checked at start-up, and on every socket), so
 * ws is pinned and the unit tests of moment-fanout.ts, test/integration/fanout.test.ts
 * and test/integration/emote-fast-paths.test.ts check the bytes.
 */
function writeRaw(socket: unknown, frame: Buffer): boolean {
  if (!hasWsInternals(socket)) return false;
  const { _socket: tcp, _sender: sender } = socket;
  if (tcp.destroyed || sender._state !== 0 || sender._queue.length > 0) return false;
  tcp.write(frame);
  return true;
}

/**
 * Sends `payload` as one text frame, as tRPC's: `frame` (its pre-built frame, when the
 * caller writes raw) straight to the TCP socket if ws allows it now, else through ws's
 * `send` — the same bytes. Budgets are the caller's to ask first (ws's `send` on a guarded
 * socket asks again: the same answer).
 */
export function sendTextFrame(
  socket: { send(data: Buffer, options: { binary: false }): void },
  payload: Buffer,
  frame: Buffer | undefined,
): void {
  if (frame && writeRaw(socket, frame)) return;
  socket.send(payload, { binary: false });
}
