/**
 * Keep-alive that only the client's pong satisfies: every `pingMs` the server sends a
 * WebSocket ping frame (every conforming client, browsers included, answers it by
 * itself); without a pong within `pongWaitMs` the socket is terminated. Unlike tRPC's own
 * keep-alive, a client's messages do not count — a client that writes but never reads
 * (so never sees the ping) is dropped.
 */
export interface KeepAliveLimits {
  pingMs: number;
  pongWaitMs: number;
}

/** The part of a ws.WebSocket the keep-alive uses (a fake in unit tests). */
export interface PingedSocket {
  ping(): void;
  terminate(): void;
  on(event: "pong", listener: () => void): unknown;
  once(event: "close", listener: () => void): unknown;
}

export function requirePongs(socket: PingedSocket, limits: KeepAliveLimits, onTimeout: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  let awaitingPong = false;
  const schedulePing = () => {
    timer = setTimeout(() => {
      awaitingPong = true;
      socket.ping();
      timer = setTimeout(() => {
        onTimeout();
        socket.terminate();
      }, limits.pongWaitMs).unref();
    }, limits.pingMs).unref();
  };
  socket.on("pong", () => {
    // Unsolicited pongs (allowed by RFC 6455) neither count nor reschedule.
    if (!awaitingPong) return;
    awaitingPong = false;
    clearTimeout(timer);
    schedulePing();
  });
  socket.once("close", () => clearTimeout(timer));
  schedulePing();
}
