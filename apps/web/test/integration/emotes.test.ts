import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEmoteClient, createEmoteClient, type EmoteClient } from "@emote/api/client";
import { signToken } from "@emote/api";
import type { Bus, IncomingRecord } from "@emote/bus";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { DEV_AUTH_SECRET } from "@emote/config";
import { DEFAULT_EMOTES, type Moment } from "@emote/contracts";
import { connectDatabase, createStreamer, saveSettings } from "@emote/db";
import { startTcpProxy, testInfraConfig, waitFor, type TcpProxy } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { runWorker, type RunningWorker } from "@emote/worker/worker";
import { TRPCClientError } from "@trpc/client";
import { DEFAULT_EMOTE_OPTIONS } from "../../src/server/emotes/emote-env.ts";
import { VIEWER_HEADER } from "../../src/server/emotes/emote-records.ts";
import { runWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { subscribeMoments } from "./live-helpers.ts";
import { testServerOptions } from "./server-options.ts";

// Real viewers' emotes through the gateway, the real broker and the real worker: several
// viewers make the moment subscribers get; Kafka cut away (every connection of the
// gateway goes through a TCP proxy the test cuts) makes sends fail fast without losing an
// acknowledged one, and sends succeed again once it is back.
const infra = testInfraConfig();
const runId = randomUUID().slice(0, 8);
const prefix = `it-emotes-${runId}.`;
const conn = connectDatabase(infra.databaseUrl, { max: 4 });
const clients: EmoteClient[] = [];
const QUEUE_MAX = 100;
const ACK_TIMEOUT_MS = 500;

let proxy: TcpProxy;
let bus: Bus;
let server: RunningWebServer;
let worker: RunningWorker;

/** A bus whose broker connections all go through `proxy` (the broker's address is in its metadata). */
function proxiedBus(proxyPort: number): Bus {
  const kafka = createKafka({
    brokers: [`127.0.0.1:${proxyPort}`],
    clientId: "emotes-it",
    // The cut makes kafkajs log every reconnection attempt.
    logCreator: () => () => undefined,
    socketFactory: ({ onConnect }) => {
      const socket = connect({ host: "127.0.0.1", port: proxyPort }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
  });
  return kafkaBus(kafka, { partitions: 1, topicPrefix: prefix });
}

const viewerClient = (token?: string) => {
  const client = createEmoteClient({
    url: server.url,
    ...(token && { token }),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  clients.push(client);
  return client;
};

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.slice(line.lastIndexOf(" ") + 1));
}

/** Every record of raw-emote-data so far, read by a fresh group from the start. */
async function rawRecords(until: (records: IncomingRecord[]) => boolean): Promise<IncomingRecord[]> {
  const direct = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "emotes-it-reader" }), {
    partitions: 1,
    topicPrefix: prefix,
  });
  const records: IncomingRecord[] = [];
  const consumer = await direct.consumer({
    groupId: `it-emotes-reader-${randomUUID()}`,
    topics: [bus.topics.raw],
  });
  await consumer.run(async (batch, control) => {
    records.push(...batch.records);
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  try {
    await waitFor("the emotes on raw-emote-data", () => until(records), 30_000);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

let probes = 0;

/**
 * What the gateway answers now to an emote no streamer here allows (so nothing is sent):
 * "NOT_FOUND" while it does not know the streamer, else the refusal naming the allowed
 * emotes. Each probe is a viewer of its own, so the per-viewer limit stays out of the way.
 */
async function gatewayAnswer(streamerId: string): Promise<string> {
  const token = await signToken({ role: "viewer", sub: `probe-${probes++}` }, DEV_AUTH_SECRET);
  const res = await fetch(`${server.url}/trpc/emotes.send`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ streamerId, emote: "🦄" }),
  });
  const body = (await res.json()) as { error: { message: string; data: { code: string } } };
  return body.error.data.code === "NOT_FOUND" ? "NOT_FOUND" : body.error.message;
}

/** Waits for the gateway to know a streamer just created (it follows the streamers' NOTIFYs). */
const gatewayKnows = (streamerId: string) =>
  waitFor(
    `the gateway to know ${streamerId}`,
    async () => (await gatewayAnswer(streamerId)) !== "NOT_FOUND",
    1_000,
  );

const idOf = (r: IncomingRecord) => (JSON.parse(String(r.value)) as { id: string }).id;

beforeAll(async () => {
  const [host, port] = (infra.brokers[0] ?? "127.0.0.1:9092").split(":");
  proxy = await startTcpProxy({ host: host ?? "127.0.0.1", port: Number(port) });
  bus = proxiedBus(proxy.port);
  await bus.ensureTopics();
  await conn.migrate();
  const obs = createObservability("emote-web", { LOG_LEVEL: "silent" });
  worker = await runWorker(
    { bus, conn },
    {
      groupId: `it-emotes-worker-${runId}`,
      concurrency: 1,
      sessionTimeoutMs: 10_000,
      parseThread: false,
      surgeThread: false,
    },
    createObservability("emote-worker", { LOG_LEVEL: "silent" }),
  );
  server = await runWebServer(
    { bus, conn },
    testServerOptions({
      emotes: { ...DEFAULT_EMOTE_OPTIONS, maxPending: QUEUE_MAX, ackTimeoutMs: ACK_TIMEOUT_MS },
    }),
    obs,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map(closeEmoteClient));
  await server?.close();
  await worker?.stop();
  await proxy?.close();
  await conn.close();
});

describe("emotes.send on the real broker", () => {
  it("emotes of several viewers make the expected moment on moments.live, with a hashed viewer on each record", async () => {
    const streamerId = `it-e-${runId}`;
    await saveSettings(conn.db, streamerId, { interval: 10, threshold: 0.5, allowedEmotes: ["🔥", "😀"] });
    await gatewayKnows(streamerId);
    const subscriber = subscribeMoments(server.url, clients, streamerId);
    await subscriber.started;
    const subs = ["ana", "ben", "cem"];
    const viewers = [
      ...(await Promise.all(
        subs.map(async (sub) => viewerClient(await signToken({ role: "viewer", sub }, DEV_AUTH_SECRET))),
      )),
      viewerClient(),
    ];
    // 6 🔥 and 4 😀 from four viewers: one batch of 10, 🔥 at 0.6 is over the threshold.
    const plan = ["🔥", "😀", "🔥", "😀", "🔥", "😀", "🔥", "😀", "🔥", "🔥"];
    const sent = await Promise.all(
      plan.map((emote, i) =>
        (viewers[i % viewers.length] as EmoteClient).emotes.send.mutate({ streamerId, emote }),
      ),
    );
    expect(new Set(sent.map((s) => s.id)).size).toBe(10);
    await waitFor(
      "the moment of the viewers' 🔥",
      () => subscriber.received.reduce((n, m) => n + m.count, 0) === 6,
      30_000,
    );
    // Split over two minutes only if the sends straddled one: then two moments of 🔥.
    expect(subscriber.received.every((m: Moment) => m.emote === "🔥" && m.streamerId === streamerId)).toBe(
      true,
    );
    expect(subscriber.received.reduce((n, m) => n + m.total, 0)).toBe(10);

    const records = await rawRecords((rs) => rs.filter((r) => String(r.key) === streamerId).length === 10);
    const mine = records.filter((r) => String(r.key) === streamerId);
    expect(mine.map(idOf).sort()).toEqual(sent.map((s) => s.id).sort());
    const viewerIds = new Set(mine.map((r) => String(r.headers?.[VIEWER_HEADER])));
    expect(viewerIds.size).toBe(4);
    for (const id of viewerIds) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const raw of [...subs, "127.0.0.1"]) expect(id).not.toContain(raw);
    }
    expect(await metric("emote_web_emotes_accepted_total")).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it("with Kafka cut away: fast SERVICE_UNAVAILABLE, a bounded queue, nothing acknowledged lost; sends succeed once it is back", async () => {
    const streamerId = `it-o-${runId}`;
    await createStreamer(conn.db, streamerId, "test");
    await gatewayKnows(streamerId);
    const acknowledged: string[] = [];
    // One token each, so the per-viewer limit (burst 20) stays out of the way; 20 sockets
    // from one address stay under its connection cap.
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signToken({ role: "viewer", sub: `o${i}` }, DEV_AUTH_SECRET)),
    );
    const viewers = tokens.map((t) => viewerClient(t));
    const send = async (i: number) => {
      const answer = await (viewers[i % viewers.length] as EmoteClient).emotes.send.mutate({
        streamerId,
        emote: "🔥",
      });
      acknowledged.push(answer.id);
    };
    const codeOf = (err: unknown) => (err instanceof TRPCClientError ? String(err.data?.code) : String(err));
    for (let i = 0; i < 20; i++) await send(i);

    await proxy.cut();
    const started = performance.now();
    // 200 at once, twice the queue: half wait in it for the ack timeout, half are refused.
    const flood = Promise.allSettled(Array.from({ length: 200 }, (_, i) => send(i)));
    let maxPending = 0;
    let settled = false;
    void flood.then(() => (settled = true));
    while (!settled) {
      maxPending = Math.max(maxPending, await metric("emote_web_emotes_pending"));
    }
    const results = await flood;
    const elapsed = performance.now() - started;
    const codes = results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : ["sent"]));
    expect(new Set(codes)).toEqual(new Set(["SERVICE_UNAVAILABLE"]));
    expect(elapsed).toBeLessThan(ACK_TIMEOUT_MS + 2_000);
    expect(maxPending).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(QUEUE_MAX);
    // Kafka still away: refused at once, not after another ack timeout.
    for (let i = 0; i < 5; i++) {
      const at = performance.now();
      expect(await send(i).then(() => "sent", codeOf)).toBe("SERVICE_UNAVAILABLE");
      expect(performance.now() - at).toBeLessThan(ACK_TIMEOUT_MS / 2);
    }
    expect(acknowledged.length).toBe(20);
    expect(await metric("emote_web_emotes_failed_total")).toBeGreaterThanOrEqual(100);
    expect(await metric("emote_web_emotes_pending")).toBeLessThanOrEqual(QUEUE_MAX);

    await proxy.restore();
    let attempt = 0;
    await waitFor(
      "emotes.send succeeding again after Kafka came back",
      () =>
        send(attempt++).then(
          () => true,
          () => false,
        ),
      60_000,
      100,
    );
    for (let i = 0; i < 20; i++) await send(i);
    const records = await rawRecords((rs) => {
      const stored = new Set(rs.map(idOf));
      return acknowledged.every((id) => stored.has(id));
    });
    const stored = new Set(records.map(idOf));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(41);
  }, 120_000);

  it("follows the API's changes without polling: a created streamer takes emotes, and new allowed emotes apply, within a second", async () => {
    const streamerId = `it-s-${runId}`;
    const admin = viewerClient(await signToken({ role: "admin", sub: "admin-it" }, DEV_AUTH_SECRET));
    const viewer = viewerClient(await signToken({ role: "viewer", sub: "follower" }, DEV_AUTH_SECRET));
    expect(await gatewayAnswer(streamerId)).toBe("NOT_FOUND");

    await admin.streamers.create.mutate({ streamerId });
    let changed = performance.now();
    await waitFor(
      "the created streamer",
      async () => (await gatewayAnswer(streamerId)) !== "NOT_FOUND",
      1_000,
    );
    expect(performance.now() - changed).toBeLessThan(1_000);
    expect(await gatewayAnswer(streamerId)).toContain(DEFAULT_EMOTES.join(" "));
    expect((await viewer.emotes.send.mutate({ streamerId, emote: "🔥" })).id).toMatch(/^g-/);

    await admin.settings.update.mutate({ streamerId, allowedEmotes: ["🦊", "🐼"] });
    changed = performance.now();
    await waitFor(
      "the new allowed emotes",
      async () => (await gatewayAnswer(streamerId)).includes("🦊 🐼"),
      1_000,
    );
    expect(performance.now() - changed).toBeLessThan(1_000);
    expect((await viewer.emotes.send.mutate({ streamerId, emote: "🦊" })).id).toMatch(/^g-/);
    const refused = await viewer.emotes.send.mutate({ streamerId, emote: "🔥" }).then(
      () => "sent",
      (err: unknown) => (err instanceof TRPCClientError ? String(err.data?.code) : String(err)),
    );
    expect(refused).toBe("BAD_REQUEST");
  }, 60_000);
});
