import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Moment } from "@emote/contracts";
import { commitAnalysis, connectDatabase } from "@emote/db";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { clientTextFrame, openRawWebSocket } from "./raw-ws.ts";
import { startServerProcess, type ServerProcess } from "./server-process.ts";

// Attacks on the per-client limits, against the web server in its own process (so its
// memory is its own), configured as an operator would: through the environment.
const infra = testInfraConfig();
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const run = randomUUID().slice(0, 8);
const streamerId = `hostile-${run}`;
const BACKFILL = 40_000;
const SUBSCRIPTIONS = 20;
const LIMITS = {
  WS_PING_INTERVAL_MS: "1000",
  WS_PONG_TIMEOUT_MS: "6000",
  WS_IDLE_TIMEOUT_MS: "3000",
  WS_MAX_SUBSCRIPTIONS: String(SUBSCRIPTIONS),
  WS_MAX_CONNECTIONS_PER_ADDRESS: "4",
  HTTP_MAX_BATCH_SIZE: "10",
  HISTORY_MAX_ITEMS_PER_REQUEST: "1000",
  HTTP_REQUEST_TIMEOUT_MS: "3000",
};
let server: ServerProcess;
let firstId = "";

beforeAll(async () => {
  // A long history after the client's last event id: what a resuming subscription backfills.
  const moments: Moment[] = Array.from({ length: BACKFILL }, (_, i) => ({
    id: `${streamerId}-${String(i).padStart(6, "0")}`,
    streamerId,
    emote: "🔥",
    timestamp: new Date(Date.UTC(2009, 0, 1) + i * 60_000).toISOString(),
    count: 10,
    total: 20,
    ratio: 0.5,
  }));
  firstId = moments[0]?.id as string;
  for (let i = 0; i < BACKFILL; i += 5_000) {
    await commitAnalysis(conn.db, {
      groupId: `hostile-${run}`,
      topic: "hostile",
      partition: 0,
      nextOffset: BigInt(i + 1),
      streamers: [],
      moments: moments.slice(i, i + 5_000),
    });
  }
  server = await startServerProcess({
    KAFKA_BROKERS: infra.brokers.join(","),
    DATABASE_URL: infra.databaseUrl,
    KAFKA_TOPIC_PREFIX: `it-hostile-${run}.`,
    KAFKA_PARTITIONS: "1",
    ...LIMITS,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await conn.close();
});

const wsUrl = () => `${server.url.replace("http", "ws")}/trpc`;

function openWs(options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(), options);
  return new Promise((resolve, reject) => ws.once("open", () => resolve(ws)).once("error", reject));
}
const closed = (ws: WebSocket) =>
  new Promise<number>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(1006);
    else ws.once("close", (code) => resolve(code));
  });

describe("a client that never reads", () => {
  it(`with ${SUBSCRIPTIONS} subscriptions backfilling ${BACKFILL} moments each keeps the server's memory bounded and is dropped`, async () => {
    const before = server.rssMiB();
    const drops = async () =>
      (await server.metric("emote_web_pong_timeouts_total")) +
      (await server.metric("emote_web_slow_client_disconnects_total"));
    const dropsBefore = await drops();
    const socket = await openRawWebSocket(wsUrl());
    const started = Date.now();
    socket.pause(); // never reads again: the server's frames pile up on its side
    const subscribe = Array.from({ length: SUBSCRIPTIONS }, (_, i) =>
      clientTextFrame(
        JSON.stringify({
          id: i + 1,
          method: "subscription",
          params: { path: "moments.live", input: { streamerId, lastEventId: firstId } },
        }),
      ),
    );
    socket.write(Buffer.concat(subscribe));
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, server.rssMiB())), 100);
    try {
      await waitFor(
        "the server to drop the socket",
        async () => (await server.metric("emote_web_websocket_connections")) === 0,
        30_000,
      );
    } finally {
      clearInterval(sampler);
      socket.destroy();
    }
    const droppedAfterMs = Date.now() - started;
    const sent = await server.metric("emote_web_messages_delivered_total");
    // Unbounded, 20 subscriptions of 40,000 moments queue some 300 MiB of frames.
    console.log(
      `non-reading client: RSS ${before.toFixed(0)} MiB -> peak ${peak.toFixed(0)} MiB (+${(peak - before).toFixed(0)}), dropped after ${droppedAfterMs} ms, ${sent} of ${SUBSCRIPTIONS * BACKFILL} moments written`,
    );
    expect(peak - before).toBeLessThan(100);
    // Dropped by the keep-alive (it never reads the ping) or by its budget, counted once.
    expect(await drops()).toBe(dropsBefore + 1);
  }, 60_000);
});

describe("a client that reads slowly", () => {
  it("gets the whole backfill, paced by its socket's budget, without a drop", async () => {
    const droppedBefore = await server.metric("emote_web_messages_dropped_total");
    const ws = await openWs();
    const ids: string[] = [];
    ws.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString("utf8")) as { result?: { id?: string } };
      if (frame.result?.id === undefined) return;
      ids.push(frame.result.id);
      // After the first 1,000 it stops reading for a while, long enough for the rest to
      // outgrow the kernel's socket buffers: the server must wait, not drop.
      if (ids.length === 1_000) {
        ws.pause();
        setTimeout(() => ws.resume(), 4_000);
      }
    });
    ws.send(
      JSON.stringify({
        id: 1,
        method: "subscription",
        params: { path: "moments.live", input: { streamerId, lastEventId: firstId } },
      }),
    );
    await waitFor(
      "the whole backfill (or the socket cut)",
      () => ids.length >= BACKFILL - 1 || ws.readyState !== WebSocket.OPEN,
      60_000,
    );
    expect(ids).toHaveLength(BACKFILL - 1);
    expect(ids.at(-1)).toBe(`${streamerId}-${String(BACKFILL - 1).padStart(6, "0")}`);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(await server.metric("emote_web_messages_dropped_total")).toBe(droppedBefore);
    ws.close();
    await closed(ws);
  }, 90_000);
});

describe("keep-alive", () => {
  it("drops a client that stops answering pings, however much it writes", async () => {
    const ws = await openWs({ autoPong: false });
    const pinged = new Promise<void>((resolve) => ws.once("ping", () => resolve()));
    // Its own messages (tRPC's text PING, answered by the server) do not keep it alive.
    const chatter = setInterval(() => ws.send("PING"), 200);
    try {
      await pinged;
      const code = await closed(ws);
      expect(code).toBe(1006); // terminated, not closed politely
    } finally {
      clearInterval(chatter);
    }
  }, 20_000);

  it("keeps a client that answers, with a subscription open, across several pings", async () => {
    const ws = await openWs();
    ws.send(
      JSON.stringify({
        id: 1,
        method: "subscription",
        params: { path: "stats.live", input: { streamerId } },
      }),
    );
    let pings = 0;
    ws.on("ping", () => pings++);
    await waitFor("three pings", () => pings >= 3, 15_000);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  }, 20_000);

  it("closes a connection that sits idle without a subscription", async () => {
    const ws = await openWs();
    expect(await closed(ws)).toBe(4408);
  }, 20_000);
});

describe("caps", () => {
  it("refuses a subscription past WS_MAX_SUBSCRIPTIONS with TOO_MANY_REQUESTS", async () => {
    const ws = await openWs();
    const frames: {
      id: number;
      result?: { type: string };
      error?: { message: string; data: { code: string } };
    }[] = [];
    ws.on("message", (data: Buffer) =>
      frames.push(JSON.parse(data.toString("utf8")) as (typeof frames)[number]),
    );
    const requests = Array.from({ length: SUBSCRIPTIONS + 1 }, (_, i) => ({
      id: i + 1,
      method: "subscription",
      params: { path: "stats.live", input: { streamerId } },
    }));
    ws.send(JSON.stringify(requests));
    await waitFor("one refusal", () => frames.some((f) => f.error), 15_000);
    const refused = frames.filter((f) => f.error);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.error?.data.code).toBe("TOO_MANY_REQUESTS");
    expect(refused[0]?.error?.message).toBe(
      `too many subscriptions on this connection: at most ${SUBSCRIPTIONS}; stop one first or open another connection`,
    );
    ws.close();
    await closed(ws);
  }, 20_000);

  it("refuses a connection past WS_MAX_CONNECTIONS_PER_ADDRESS with 429", async () => {
    await waitFor(
      "earlier sockets to be gone",
      async () => (await server.metric("emote_web_websocket_connections")) === 0,
      15_000,
    );
    const open = await Promise.all([1, 2, 3, 4].map(() => openWs()));
    const refusal = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(wsUrl());
      ws.once("open", () => reject(new Error("a fifth connection was accepted")));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString("utf8")));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
    expect(refusal).toEqual({
      status: 429,
      body: "too many WebSocket connections from this address: at most 4\n",
    });
    for (const ws of open) ws.close();
    await Promise.all(open.map(closed));
    expect(await server.metric("emote_web_limit_refusals_total")).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it("refuses a 50 MB anonymous body with 413 before reading it", async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/trpc/settings.update`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(50_000_000) },
      });
      req.on("response", (r) => {
        let body = "";
        r.on("data", (c: Buffer) => (body += c.toString("utf8")));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.flushHeaders(); // the headers only: not one byte of the body is sent
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({
      error: { message: "request body too large: at most 262144 bytes", data: { code: "PAYLOAD_TOO_LARGE" } },
    });
  });

  it("stops reading a chunked body at the limit and closes the connection", async () => {
    let written = 0;
    // The server answers 413 and closes; the client, still writing, may see the reset first.
    const outcome = await new Promise<string>((resolve) => {
      const req = request(`${server.url}/trpc/settings.update`, {
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let done = false;
      const finish = (what: string) => {
        if (done) return;
        done = true;
        resolve(what);
        req.destroy();
      };
      req.on("response", (r) => finish(String(r.statusCode)));
      req.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
      const pump = () => {
        while (!done && written < 50_000_000) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
      };
      pump();
    });
    expect(["413", "EPIPE", "ECONNRESET"]).toContain(outcome);
    expect(written).toBeLessThan(20_000_000);
  });

  it("refuses a batch of more than HTTP_MAX_BATCH_SIZE calls", async () => {
    const paths = Array.from({ length: 11 }, () => "streamers.list").join(",");
    const res = await fetch(`${server.url}/trpc/${paths}?batch=1&input={}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } }[] | { error: { message: string } };
    expect(JSON.stringify(body)).toContain("Batch call exceeds maximum size");
    const ten = await fetch(`${server.url}/trpc/${paths.split(",").slice(1).join(",")}?batch=1&input={}`);
    expect(ten.status).toBe(200);
  });

  it("answers at most HISTORY_MAX_ITEMS_PER_REQUEST moments to one batch", async () => {
    const input = {
      0: { streamerId, limit: 500 },
      1: { streamerId, limit: 500 },
      2: { streamerId, limit: 500 },
    };
    const res = await fetch(
      `${server.url}/trpc/moments.history,moments.history,moments.history?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`,
    );
    const body = (await res.json()) as (
      { result: { data: { items: unknown[] } } } | { error: { message: string } }
    )[];
    const items = body.flatMap((r) => ("result" in r ? r.result.data.items : []));
    expect(items).toHaveLength(1000);
    const errors = body.flatMap((r) => ("error" in r ? [r.error.message] : []));
    expect(errors).toEqual([
      "limit: this request asks moments.history for more than 1000 moments in all; ask for fewer or split the batch",
    ]);
  });

  it("closes a request whose headers never finish (HTTP_REQUEST_TIMEOUT_MS)", async () => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // and nothing more
    let answer = "";
    socket.on("data", (c: Buffer) => (answer += c.toString("latin1")));
    const started = Date.now();
    await new Promise((resolve) => socket.once("close", resolve));
    expect(answer).toMatch(/^HTTP\/1.1 408 /);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});
