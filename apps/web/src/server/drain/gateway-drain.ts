/**
 * The close a draining gateway sends every WebSocket (RFC 6455's 1012 "Service Restart"):
 * every tRPC client reconnects on any close, with back-off, and resumes its tracked
 * subscriptions from their last event ids — through a load balancer, on another gateway.
 */
export const SERVICE_RESTART = { code: 1012, reason: "service restart: reconnect" } as const;

/** The part of a ws.WebSocket the drain uses (a fake in unit tests). */
export interface DrainableSocket {
  close(code: number, reason: string): void;
  once(event: "close", listener: () => void): unknown;
}

export type DrainPhase = "serving" | "draining" | "drained";

/**
 * A gateway's way out of service (SIGTERM). Serving, it counts each socket's calls in
 * flight (emotes.send: answered only once Kafka has the emote). `drain()` closes every socket with SERVICE_RESTART as soon as it has no call in
 * flight (a socket opened meanwhile at once), and resolves when every socket is closed,
 * or after `timeoutMs` with those left (the caller terminates them). A message arriving
 * on a socket told to close is not taken (`accepts`): its answer could not be delivered,
 * so the client sees the call fail and may send it again; it is never applied unknown.
 */
export class GatewayDrain {
  private current: DrainPhase = "serving";
  /** Every open socket: its calls in flight and whether it was told to close. */
  private readonly sockets = new Map<object, { socket: DrainableSocket; calls: number; closing: boolean }>();
  private emptied: (() => void) | undefined;

  get phase(): DrainPhase {
    return this.current;
  }

  /** A new WebSocket; one that opens while draining is told to reconnect elsewhere at once. */
  opened(socket: DrainableSocket): void {
    this.sockets.set(socket, { socket, calls: 0, closing: false });
    socket.once("close", () => {
      this.sockets.delete(socket);
      if (this.sockets.size === 0) this.emptied?.();
    });
    if (this.current !== "serving") this.closeIdle(socket);
  }

  /** Whether a message that just arrived on `socket` may be taken. */
  accepts(socket: object): boolean {
    const entry = this.sockets.get(socket);
    return entry !== undefined && !entry.closing;
  }

  /**
   * Runs one call of `socket`, its answer written inside `call`; while draining, the socket
   * closes once its last call is answered.
   */
  async during<T>(socket: object, call: () => Promise<T>): Promise<T> {
    const entry = this.sockets.get(socket);
    if (entry) entry.calls++;
    try {
      return await call();
    } finally {
      if (entry) {
        entry.calls--;
        if (this.current !== "serving") this.closeIdle(socket);
      }
    }
  }

  /** Starts draining; resolves with the sockets still open when all closed or `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<number> {
    if (this.current === "serving") {
      this.current = "draining";
      for (const socket of this.sockets.keys()) this.closeIdle(socket);
    }
    if (this.sockets.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.emptied = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.current = "drained";
    return this.sockets.size;
  }

  private closeIdle(key: object): void {
    const entry = this.sockets.get(key);
    if (!entry || entry.closing || entry.calls > 0) return;
    entry.closing = true;
    entry.socket.close(SERVICE_RESTART.code, SERVICE_RESTART.reason);
  }
}
