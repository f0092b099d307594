/**
 * Load process of bench:fanout (started by fanout.ts): opens N WebSocket subscribers to
 * the server, speaking raw tRPC (one `moments.live` subscription per socket, answers the
 * server's PINGs) or, for the plain baseline, just listening. Each moment's id carries its
 * produce time (`bench-<seq>-<epochMs>`); receipt time minus that goes into a 1 ms
 * histogram. Prints `READY` when every socket is subscribed; on a line on stdin prints
 * `REPORT <json>` and exits.
 * Usage: fanout-load.ts <ws url> <subscribers> <trpc|plain>
 */
import WebSocket from "ws";

const [url, countArg, protocol] = process.argv.slice(2);
const count = Number(countArg);
if (!url || !Number.isInteger(count) || count <= 0 || (protocol !== "trpc" && protocol !== "plain")) {
  console.error("usage: fanout-load.ts <ws url> <subscribers> <trpc|plain>");
  process.exit(2);
}

const MAX_MS = 60_000;
const histogram = new Uint32Array(MAX_MS + 1);
let received = 0;
let closed = 0;
let errors = 0;
const sockets: WebSocket[] = [];
const SUBSCRIBE = JSON.stringify({
  id: 1,
  method: "subscription",
  params: { path: "moments.live", input: {} },
});
const MARK = Buffer.from('"bench-');
const PING = Buffer.from("PING");
const STARTED = Buffer.from('"started"');

/** The produce time in a frame's first `"bench-<seq>-<epochMs>"`, read from the bytes. */
function producedAt(data: Buffer): number | undefined {
  let i = data.indexOf(MARK);
  if (i < 0) return undefined;
  i += MARK.length;
  while (i < data.length && data[i] !== 0x2d) i++; // past <seq> to "-"
  let ms = 0;
  for (i++; i < data.length; i++) {
    const c = data[i] as number;
    if (c < 0x30 || c > 0x39) break;
    ms = ms * 10 + (c - 0x30);
  }
  return ms;
}

function open(): Promise<void> {
  return new Promise((resolve) => {
    // No UTF-8 validation: the load process should cost as little per frame as it can.
    const socket = new WebSocket(url as string, { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(socket);
    let ready = false;
    const done = () => {
      if (!ready) {
        ready = true;
        resolve();
      }
    };
    socket.on("open", () => {
      if (protocol === "trpc") socket.send(SUBSCRIBE);
      else done();
    });
    socket.on("message", (data: Buffer) => {
      const now = Date.now();
      if (data.length === 4 && data.equals(PING)) {
        socket.send("PONG");
        return;
      }
      const at = producedAt(data);
      if (at !== undefined) {
        received++;
        histogram[Math.min(MAX_MS, Math.max(0, now - at))]!++;
      } else if (data.includes(STARTED)) done();
    });
    socket.on("error", () => {
      errors++;
      done();
    });
    socket.on("close", () => {
      closed++;
      done();
    });
  });
}

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
  console.log(
    `REPORT ${JSON.stringify({ received, expected, closed, errors, p50: percentile(0.5, total), p99: percentile(0.99, total) })}`,
  );
  for (const s of sockets) s.terminate();
  process.exit(0);
});
