import type { WebSocket } from "ws";

/**
 * One buffer budget per WebSocket for every frame the server writes to it: tRPC's
 * responses (backfill, stats, errors, started/stopped) through the socket's `send`
 * (wrapped by `budgetSends`) and the moments.live fan-out's pre-built frames (which ask
 * `admit` themselves).
 *
 * A frame goes out only if the bytes the socket has buffered (written, not yet taken by
 * the kernel) plus the frame stay within `bufferBytes`; otherwise it is dropped (counted)
 * and the socket is lagging: every later frame is dropped too, so each subscription's
 * last event id on the client stays before its first lost frame. A lagging socket is
 * terminated (counted) as soon as its buffer has drained (the client has everything sent
 * before the first drop) or `lagMs` after the first drop, whichever comes first; the
 * client reconnects and resumes from its last event ids.
 *
 * Writers that can wait (the moments.live backfill) ask `room()` before each frame: it
 * resolves once the buffer is down to half the budget, so a slow reader is paced
 * instead of dropped, and a client that reads nothing holds at most the budget.
 */
export interface BudgetLimits {
  /** Most bytes a socket may have buffered, the frame being written included. */
  bufferBytes: number;
  /** A lagging socket is terminated this long after its first dropped frame at the latest. */
  lagMs: number;
}

export interface BudgetCounters {
  /** Frames not written because their socket was over its budget (or lagging). */
  framesDropped: number;
  /** Sockets terminated for lagging. */
  disconnects: number;
}

/** The part of a ws.WebSocket the budget uses (a fake in unit tests). */
export interface BudgetedSocket {
  readonly bufferedAmount: number;
  terminate(): void;
}

export interface BudgetTimers {
  setTimeout(fn: () => void, ms: number): { unref?(): unknown };
  clearTimeout(timer: unknown): void;
}

export class SocketBudget {
  private lagTimer: unknown;
  private lagging = false;
  private dead = false;
  private waiting: (() => void)[] = [];
  private roomPromise: Promise<void> | undefined;

  constructor(
    private readonly socket: BudgetedSocket,
    private readonly limits: BudgetLimits,
    private readonly counters: BudgetCounters,
    private readonly timers: BudgetTimers = globalThis,
  ) {}

  /** True: write the frame of `bytes` now. False: drop it (counted unless the socket is gone). */
  admit(bytes: number): boolean {
    if (this.dead) return false;
    if (!this.lagging && this.socket.bufferedAmount + bytes <= this.limits.bufferBytes) return true;
    this.counters.framesDropped++;
    if (!this.lagging) {
      this.lagging = true;
      const timer = this.timers.setTimeout(() => this.terminate(), this.limits.lagMs);
      timer.unref?.();
      this.lagTimer = timer;
    }
    return false;
  }

  /**
   * Undefined when the socket can take more frames now; else a promise that resolves once
   * its buffer has drained to half the budget, or once it is gone (its subscriptions are
   * then aborted). A lagging socket waits until it is terminated.
   */
  room(): Promise<void> | undefined {
    if (this.dead) return undefined;
    if (!this.lagging && this.socket.bufferedAmount <= this.limits.bufferBytes / 2) return undefined;
    this.roomPromise ??= new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.roomPromise;
  }

  /** The kernel took every buffered byte (the TCP socket's 'drain'). */
  drained(): void {
    if (this.lagging) this.terminate();
    else this.wake();
  }

  /** The socket closed: nothing more is written; waiting writers go on (to see their abort). */
  closed(): void {
    this.dead = true;
    this.timers.clearTimeout(this.lagTimer);
    this.wake();
  }

  private terminate(): void {
    if (this.dead) return;
    this.counters.disconnects++;
    this.closed();
    this.socket.terminate();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    this.roomPromise = undefined;
    for (const resolve of waiting) resolve();
  }
}

/**
 * Makes every `send` on this socket (tRPC's adapter calls `client.send`) go through the
 * budget: a frame over it is dropped, its callback (if any) told so.
 */
export function budgetSends(socket: WebSocket, budget: SocketBudget): void {
  const send = socket.send.bind(socket);
  const budgeted = (data: unknown, options?: unknown, cb?: unknown): void => {
    const callback = typeof options === "function" ? options : cb;
    const bytes = typeof data === "string" ? Buffer.byteLength(data) : byteLengthOf(data);
    if (budget.admit(bytes)) {
      (send as (d: unknown, o?: unknown, c?: unknown) => void)(data, options, cb);
      return;
    }
    if (typeof callback === "function") callback(new Error("frame dropped: socket over its buffer budget"));
  };
  socket.send = budgeted as WebSocket["send"];
}

function byteLengthOf(data: unknown): number {
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, d) => n + byteLengthOf(d), 0);
  return 0;
}
