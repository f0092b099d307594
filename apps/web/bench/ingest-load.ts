/**
 * Load process of bench:ingest: BENCH_VIEWERS viewers, each with a viewer token of its own
 * (so the per-viewer limit counts each), a share of them over HTTP (one POST per emote on
 * a keep-alive connection of the viewer's own) and the rest over one WebSocket each
 * (tRPC's wire protocol; both written by hand so the load costs little CPU). Prints `READY`
 * once every socket is open; on `GO` (stdin) sends BENCH_RATE emotes/s in all, open loop
 * (each viewer in turn, at most 16 of its own in flight): BENCH_WARMUP_SECONDS of warm-up
 * (JIT, connections, first batches), then `MEASURING` and BENCH_SECONDS measured, then
 * `RESULT <json>`: send p50/p99 over the calls sent in the measured window, and the warm-up's.
 */
import { connect } from "node:net";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { signToken } from "@emote/api";
import { DEFAULT_EMOTES } from "@emote/contracts";

const url = new URL(process.env.BENCH_URL ?? "");
const viewers = Number(process.env.BENCH_VIEWERS);
const rate = Number(process.env.BENCH_RATE);
const seconds = Number(process.env.BENCH_SECONDS);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? "0");
const httpShare = Number(process.env.BENCH_HTTP_SHARE);
const streamers = Number(process.env.BENCH_STREAMERS);
const secret = process.env.BENCH_SECRET ?? "";
const MAX_IN_FLIGHT = 16;
const TICK_MS = 5;

interface Viewer {
  send(input: string): void;
  inFlight: number;
}

/** Durations of the calls sent in the measured window, and of those sent during the warm-up. */
const measured: number[] = [];
const warmup: number[] = [];
let answered = 0;
const byCode: Record<string, number> = {};
let skipped = 0;
let sent = 0;
/** When the measured window starts and ends (performance.now()); set on GO. */
let measuredFrom = Number.POSITIVE_INFINITY;
let measuredUntil = Number.POSITIVE_INFINITY;

function answer(startedAt: number, code: string): void {
  const took = performance.now() - startedAt;
  if (startedAt < measuredFrom) warmup.push(took);
  else if (startedAt < measuredUntil) {
    measured.push(took);
    byCode[code] = (byCode[code] ?? 0) + 1;
  }
  answered++;
}

/**
 * An HTTP viewer: one keep-alive connection of its own, requests written by hand and
 * pipelined (HTTP/1.1 answers come back in order), answers read as far as the status line
 * and Content-Length — Node's http client costs several times the server's work per call.
 */
async function httpViewer(token: string): Promise<Viewer> {
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const head =
    `POST /trpc/emotes.send HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Authorization: Bearer ${token}\r\nContent-Length: `;
  const startedAt: number[] = [];
  let buffered: Buffer = Buffer.alloc(0);
  const viewer: Viewer = {
    inFlight: 0,
    send(input) {
      startedAt.push(performance.now());
      viewer.inFlight++;
      socket.write(`${head}${Buffer.byteLength(input)}\r\n\r\n${input}`);
    },
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const headers = buffered.toString("latin1", 0, end);
      const length = /\r\ncontent-length: *(\d+)/i.exec(headers)?.[1];
      // tRPC's adapter answers in chunks; the fast path with a Content-Length.
      const bodyEnd =
        length !== undefined ? end + 4 + Number(length) : buffered.indexOf("\r\n0\r\n\r\n", end) + 7;
      if (bodyEnd < end + 4 || buffered.length < bodyEnd) return;
      buffered = buffered.subarray(bodyEnd);
      viewer.inFlight--;
      const status = headers.slice(9, 12);
      answer(startedAt.shift() ?? performance.now(), status === "200" ? "ok" : `http ${status}`);
    }
  });
  socket.on("error", () => {
    for (const at of startedAt.splice(0)) answer(at, "http error");
    viewer.inFlight = 0;
  });
  return viewer;
}

async function wsViewer(token: string): Promise<Viewer> {
  const ws = new WebSocket(`${url.origin.replace(/^http/, "ws")}/trpc?connectionParams=1`, {
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  const started = new Map<number, number>();
  let nextId = 1;
  const viewer: Viewer = {
    inFlight: 0,
    send(input) {
      const id = nextId++;
      started.set(id, performance.now());
      viewer.inFlight++;
      ws.send(`{"id":${id},"method":"mutation","params":{"path":"emotes.send","input":${input}}}`);
    },
  };
  ws.on("message", (data: Buffer) => {
    const text = data.toString();
    if (text === "PONG" || text === "PING") return;
    const msg = JSON.parse(text) as { id?: number; error?: { data?: { code?: string } } };
    const at = msg.id === undefined ? undefined : started.get(msg.id);
    if (at === undefined || msg.id === undefined) return;
    started.delete(msg.id);
    viewer.inFlight--;
    answer(at, msg.error ? (msg.error.data?.code ?? "error") : "ok");
  });
  return viewer;
}

const all: Viewer[] = [];
const httpCount = Math.round(viewers * httpShare);
const tokens = await Promise.all(
  Array.from({ length: viewers }, (_, i) => signToken({ role: "viewer", sub: `bench-viewer-${i}` }, secret)),
);
all.push(...(await Promise.all(tokens.slice(0, httpCount).map((t) => httpViewer(t)))));
// Opened a few hundred at a time: thousands of handshakes at once overflow the accept queue.
for (let i = httpCount; i < viewers; i += 200) {
  const batch = tokens.slice(i, Math.min(viewers, i + 200));
  all.push(...(await Promise.all(batch.map((t) => wsViewer(t)))));
}
console.log("READY");

const inputs = Array.from({ length: streamers }, (_, s) =>
  DEFAULT_EMOTES.map((emote) => JSON.stringify({ streamerId: `bench-s${s}`, emote })),
).flat();

await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
const start = performance.now();
measuredFrom = start + warmupSeconds * 1000;
measuredUntil = measuredFrom + seconds * 1000;
let cpuStart: NodeJS.CpuUsage | undefined;
let skippedWarm = 0;
let turn = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const now = performance.now();
    if (cpuStart === undefined && now >= measuredFrom) {
      cpuStart = process.cpuUsage();
      skippedWarm = skipped;
      console.log("MEASURING");
    }
    if (now >= measuredUntil) {
      clearInterval(timer);
      resolve();
      return;
    }
    const due = Math.floor((rate * (now - start)) / 1000) - sent - skipped;
    for (let k = 0; k < due; k++) {
      const viewer = all[turn++ % all.length] as Viewer;
      if (viewer.inFlight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      viewer.send(inputs[(turn * 7) % inputs.length] as string);
      sent++;
    }
  }, TICK_MS);
});
const cpu = process.cpuUsage(cpuStart);
const deadline = performance.now() + 10_000;
while (answered < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const pct = (xs: number[], p: number) => {
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
};
console.log(
  `RESULT ${JSON.stringify({
    sent,
    answered,
    skipped: skipped - skippedWarm,
    byCode,
    sendP50: pct(measured, 0.5),
    sendP99: pct(measured, 0.99),
    sendMax: pct(measured, 1),
    warmupSendP99: pct(warmup, 0.99),
    loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}`,
);
process.exit(0);
