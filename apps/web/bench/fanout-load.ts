/**
 * Load process of bench:fanout (started by fanout.ts): opens N WebSocket subscribers to
 * the server, speaking raw tRPC (one `moments.live` subscription per socket, answers the
 * server's PINGs) or, for the plain baseline, just listening. Each moment's id carries its
 * produce time (`bench-<seq>-<epochMs>`); receipt time minus that goes into a 1 ms
 * histogram. Prints `READY` when every socket is subscribed; on a line on stdin prints
 * `REPORT <json>` (with its own CPU seconds) and exits.
 *
 * It is the measuring instrument and shares the machine's cores with the server, so it
 * costs as little per frame as it can: a minimal RFC 6455 client on raw `node:net`
 * sockets (hand-made upgrade, fixed mask, pre-built client frames) reading into one shared
 * buffer (`onread`, no allocation per read) and parsing frames in place; of a text frame
 * it reads only the produce time, from the bytes (no string, no UTF-8 validation).
 * Usage: fanout-load.ts <ws url> <subscribers> <trpc|plain>
 */
import { connect, type Socket } from "node:net";

const [url, countArg, protocol] = process.argv.slice(2);
const count = Number(countArg);
const target = URL.canParse(url ?? "") ? new URL(url as string) : undefined;
if (
  target?.protocol !== "ws:" ||
  !Number.isInteger(count) ||
  count <= 0 ||
  (protocol !== "trpc" && protocol !== "plain")
) {
  console.error("usage: fanout-load.ts <ws url> <subscribers> <trpc|plain>");
  process.exit(2);
}

const MAX_MS = 60_000;
const histogram = new Uint32Array(MAX_MS + 1);
let received = 0;
let closed = 0;
let errors = 0;

// The handshake: RFC 6455's sample key, so the expected Sec-WebSocket-Accept is a constant.
// No Origin header, as the `ws` client this replaces (the server allows non-browser clients).
const ACCEPT = Buffer.from("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
const UPGRADE = Buffer.from(
  `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
    "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
);
const SWITCHING = Buffer.from("HTTP/1.1 101 ");
const HEAD_END = Buffer.from("\r\n\r\n");
const MAX_HEAD = 16 * 1024;
const MAX_FRAME = 100 * 1024 * 1024; // as the ws client's default maxPayload

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

/** A client frame (FIN, masked with a fixed key: the mask only has to be there). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = [0x5a, 0xa5, 0x3c, 0xc3];
  const n = payload.length;
  if (n > 0xffff) throw new Error("client frames here are small");
  const h = n < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(h + 4 + n);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | (n < 126 ? n : 126);
  if (h === 4) frame.writeUInt16BE(n, 2);
  for (let i = 0; i < 4; i++) frame[h + i] = mask[i] as number;
  for (let i = 0; i < n; i++) frame[h + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

const SUBSCRIBE = clientFrame(
  OP_TEXT,
  Buffer.from(JSON.stringify({ id: 1, method: "subscription", params: { path: "moments.live", input: {} } })),
);
// tRPC's keep-alive is a text "PING" message, answered with a text "PONG".
const PONG_TEXT = clientFrame(OP_TEXT, Buffer.from("PONG"));
const MARK = Buffer.from('"bench-');
const STARTED = Buffer.from('"started"');

/** Where `needle` starts in data[from, to), or -1. */
function find(data: Buffer, from: number, to: number, needle: Buffer): number {
  const first = needle[0];
  const last = to - needle.length;
  outer: for (let i = from; i <= last; i++) {
    if (data[i] !== first) continue;
    for (let k = 1; k < needle.length; k++) if (data[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** The produce time in data[from, to)'s first `"bench-<seq>-<epochMs>"`, or -1. */
function producedAt(data: Buffer, from: number, to: number): number {
  let i = find(data, from, to, MARK);
  if (i < 0) return -1;
  i += MARK.length;
  while (i < to && data[i] !== 0x2d) i++; // past <seq> to "-"
  let ms = 0;
  for (i++; i < to; i++) {
    const c = data[i] as number;
    if (c < 0x30 || c > 0x39) break;
    ms = ms * 10 + (c - 0x30);
  }
  return ms;
}

/**
 * Every socket reads into this one buffer: its callback runs synchronously per read, and
 * a frame cut at the end of a read is copied out before the next.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

class Subscriber {
  readonly socket: Socket;
  private upgraded = false;
  /** Resolves the ramp-up's wait: subscribed (`started`), or failed; cleared once called. */
  private settle: (() => void) | undefined;
  /** The start of a handshake or frame cut by the end of the last read (a copy). */
  private rest: Buffer | undefined;
  /** The current (possibly fragmented) message's produce time has been recorded. */
  private counted = false;
  private closing = false;
  private failed = false;

  constructor(settle: () => void) {
    this.settle = settle;
    this.socket = connect({
      host: target!.hostname,
      port: Number(target!.port || 80),
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: this.onRead },
    });
    this.socket.on("error", this.onError);
    this.socket.on("close", this.onClose);
    this.socket.write(UPGRADE); // queued until connected
  }

  private readonly onError = () => {
    errors++;
    this.failed = true;
    this.done();
  };

  private readonly onClose = () => {
    if (!this.upgraded && !this.failed) errors++; // closed during the handshake, as ws counts it
    closed++;
    this.done();
  };

  private done() {
    const settle = this.settle;
    this.settle = undefined;
    settle?.();
  }

  private readonly onRead = (nread: number): boolean => {
    const now = Date.now(); // one receipt time per read: every frame in it arrived together
    let data = READ_BUFFER;
    let end = nread;
    if (this.rest) {
      data = Buffer.concat([this.rest, READ_BUFFER.subarray(0, nread)]);
      end = data.length;
      this.rest = undefined;
    }
    let i = 0;
    if (!this.upgraded) {
      i = this.handshake(data, end);
      if (i < 0) return true;
    }
    i = this.frames(data, i, end, now);
    if (i < end && !this.closing) this.rest = Buffer.from(data.subarray(i, end)); // a copy
    return true;
  };

  /** The offset just past the 101 response's headers; -1 if incomplete (kept) or refused. */
  private handshake(data: Buffer, end: number): number {
    const head = find(data, 0, end, HEAD_END);
    if (head < 0) {
      if (end > MAX_HEAD) this.socket.destroy(new Error("no end of the HTTP response headers"));
      else this.rest = Buffer.from(data.subarray(0, end));
      return -1;
    }
    // The status line, and (cheaply) that the accept value for our key is in the headers.
    if (find(data, 0, head, SWITCHING) !== 0 || find(data, 0, head, ACCEPT) < 0) {
      this.socket.destroy(new Error(`upgrade refused: ${data.toString("latin1", 0, Math.min(head, 200))}`));
      return -1;
    }
    this.upgraded = true;
    if (protocol === "trpc") this.socket.write(SUBSCRIBE);
    else this.done();
    return head + HEAD_END.length;
  }

  /** Handles the complete frames in data[i, end); returns where the first incomplete one starts. */
  private frames(data: Buffer, i: number, end: number, now: number): number {
    while (end - i >= 2 && !this.closing) {
      const b0 = data[i] as number;
      const b1 = data[i + 1] as number;
      let len = b1 & 0x7f;
      let start = i + 2;
      if (len === 126) {
        if (end - i < 4) break;
        len = data.readUInt16BE(i + 2);
        start = i + 4;
      } else if (len === 127) {
        if (end - i < 10) break;
        len = data.readUInt32BE(i + 2) * 0x1_0000_0000 + data.readUInt32BE(i + 6);
        start = i + 10;
      }
      if (b1 & 0x80 || len > MAX_FRAME) {
        this.socket.destroy(new Error(b1 & 0x80 ? "masked server frame" : "frame too large"));
        this.closing = true;
        break;
      }
      const stop = start + len;
      if (stop > end) break;
      this.frame(b0, data, start, stop, now);
      i = stop;
    }
    return i;
  }

  private frame(b0: number, data: Buffer, start: number, stop: number, now: number) {
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONTINUATION) {
      if (
        fin &&
        opcode !== OP_CONTINUATION &&
        stop - start === 4 &&
        data[start] === 0x50 && // "PING"
        data[start + 1] === 0x49 &&
        data[start + 2] === 0x4e &&
        data[start + 3] === 0x47
      ) {
        this.socket.write(PONG_TEXT);
        return;
      }
      if (!this.counted) {
        const at = producedAt(data, start, stop);
        if (at >= 0) {
          this.counted = true;
          received++;
          histogram[Math.min(MAX_MS, Math.max(0, now - at))]!++;
        } else if (this.settle && find(data, start, stop, STARTED) >= 0) this.done();
      }
      if (fin) this.counted = false;
    } else if (opcode === OP_PING) {
      this.socket.write(clientFrame(0xa, data.subarray(start, stop)));
    } else if (opcode === OP_CLOSE) {
      // Echo the status code and close, as a client does.
      this.socket.end(clientFrame(OP_CLOSE, data.subarray(start, Math.min(stop, start + 2))));
      this.closing = true;
    } // pongs and unknown opcodes: ignored
  }
}

const subscribers: Subscriber[] = [];
function open(): Promise<void> {
  return new Promise((resolve) => subscribers.push(new Subscriber(resolve)));
}

// Paced: at most BATCH handshakes and subscriptions in flight, so N connects don't flood.
const BATCH = 250;
for (let i = 0; i < count; i += BATCH) {
  await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, open));
}
console.log(`READY ${JSON.stringify({ errors, closed })}`);

function percentile(p: number, total: number): number | null {
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (let ms = 0; ms <= MAX_MS; ms++) {
    seen += histogram[ms] as number;
    if (seen >= rank) return ms;
  }
  return null; // beyond what was received: counted as lost
}

process.stdin.once("data", (line) => {
  const expected = Number(String(line).trim()) * count;
  // Percentiles over every expected delivery: a moment not received counts as slowest.
  const total = Math.max(expected, received);
  const cpu = process.cpuUsage();
  console.log(
    `REPORT ${JSON.stringify({
      received,
      expected,
      closed,
      errors,
      p50: percentile(0.5, total),
      p99: percentile(0.99, total),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    })}`,
  );
  for (const s of subscribers) s.socket.destroy();
  process.exit(0);
});
