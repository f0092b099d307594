/**
 * Caps on what one client may hold open: WebSocket connections per client address
 * (checked at the upgrade), subscriptions per connection, and how long a connection
 * without a subscription may sit idle.
 */

/** Open connections per client address; `acquire` refuses past `max`. */
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** The function gives the connection back; undefined when the address is at its cap. */
  acquire(address: string): (() => void) | undefined {
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return undefined;
    this.open.set(address, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      if (left === 0) this.open.delete(address);
      else this.open.set(address, left);
    };
  }

  /** Addresses with a connection open now (their count is what the map keeps). */
  get addresses(): number {
    return this.open.size;
  }
}

/** A connection's subscription slots; `onIdle` runs when the last one is given back. */
export class SubscriptionSlots {
  private taken = 0;

  constructor(
    readonly max: number,
    private readonly onIdle: () => void = () => undefined,
  ) {}

  get active(): number {
    return this.taken;
  }

  /** The function gives the slot back (once); undefined when all are taken. */
  open(): (() => void) | undefined {
    if (this.taken >= this.max) return undefined;
    this.taken++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.taken--;
      if (this.taken === 0) this.onIdle();
    };
  }
}

/** The part of a ws.WebSocket the idle timeout uses. */
export interface IdleSocket {
  close(code: number, reason: string): void;
  on(event: "message", listener: () => void): unknown;
  once(event: "close", listener: () => void): unknown;
}

/** WebSocket close code for an idle connection (4000–4999: for applications). */
export const IDLE_CLOSE_CODE = 4408;

/**
 * Closes the socket once it has had no subscription and received no message for
 * `idleMs` (a client that connects and then does nothing, or never sends the connection
 * params tRPC waits for). Returns what to call when the connection's last subscription
 * ends, which starts the idle clock again.
 */
export function closeWhenIdle(
  socket: IdleSocket,
  idleMs: number,
  isBusy: () => boolean,
  onIdle: () => void,
): () => void {
  let last = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const idleFor = Date.now() - last;
    if (isBusy()) timer = undefined;
    else if (idleFor >= idleMs) {
      onIdle();
      socket.close(IDLE_CLOSE_CODE, "idle");
    } else timer = setTimeout(check, idleMs - idleFor).unref();
  };
  const touch = () => {
    last = Date.now();
    timer ??= setTimeout(check, idleMs).unref();
  };
  socket.on("message", touch);
  socket.once("close", () => clearTimeout(timer));
  touch();
  return touch;
}
