import { randomUUID } from "node:crypto";
import { DEV_AUTH_SECRET } from "@emote/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEmoteClient, type EmoteClient } from "@emote/api/client";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Moment } from "@emote/contracts";
import { connectDatabase } from "@emote/db";
import { startTcpProxy, testInfraConfig, waitFor, type TcpProxy } from "@emote/testkit";
import { createObservability, type Observability } from "@emote/observability";
import { readWebEnv } from "../../src/server/env.ts";
import { startWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { storeAndPublish, subscribeMoments } from "./live-helpers.ts";

// The web server's probes on its own port: metrics after a known stream, readiness
// following PostgreSQL through a proxy that is cut and restored, and the worker's
// traceparent reaching subscribers unchanged.
const infra = testInfraConfig();
const runId = randomUUID().slice(0, 8);
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const clients: EmoteClient[] = [];

/** An Observability whose log lines (debug and up) are kept for assertions. */
function capturing(lines: Record<string, unknown>[]): Observability {
  return createObservability(
    "emote-web",
    { LOG_LEVEL: "debug" },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
}

interface Served {
  server: RunningWebServer;
  /** Publishes to this server's own aggregated-emote-data. */
  publish(moments: Moment[]): Promise<void>;
  prefix: string;
}

async function serve(
  name: string,
  obs: Observability,
  opts: { fanout?: "stock"; databaseUrl?: string } = {},
): Promise<Served> {
  const prefix = `it-obs-${runId}-${name}.`;
  const server = await startWebServer(
    readWebEnv({
      AUTH_SECRET: DEV_AUTH_SECRET,
      KAFKA_BROKERS: infra.brokers.join(","),
      DATABASE_URL: opts.databaseUrl ?? infra.databaseUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: "1",
      PORT: "0",
    }),
    obs,
    opts.fanout ? { fanout: opts.fanout } : {},
  );
  const bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "obs-it" }), {
    partitions: 1,
    topicPrefix: prefix,
  });
  return {
    server,
    prefix,
    publish: (moments) => storeAndPublish(conn.db, bus, moments),
  };
}

let counter = 0;
function moment(streamerId: string, extra: Partial<Moment> = {}): Moment {
  counter++;
  return {
    id: `${streamerId}-${counter}`,
    streamerId,
    emote: "🔥",
    timestamp: new Date(Date.UTC(2009, 0, 1, 0, counter)).toISOString(),
    count: 10,
    total: 20,
    ratio: 0.5,
    ...extra,
  };
}

const subscribe = (server: RunningWebServer, streamerId: string, lastEventId?: string) =>
  subscribeMoments(server.url, clients, streamerId, lastEventId);

/** One sample of the server's /metrics, by name and label set (`{procedure="moments.live"}`). */
async function metric(server: RunningWebServer, name: string, labels = ""): Promise<number | undefined> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  const line = (await res.text()).split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

const directLogs: Record<string, unknown>[] = [];
let direct: Served;
let stock: Served;
let proxied: Served;
let proxy: TcpProxy;

beforeAll(async () => {
  const db = new URL(infra.databaseUrl);
  proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  db.hostname = "127.0.0.1";
  db.port = String(proxy.port);
  const quiet = () => createObservability("emote-web", { LOG_LEVEL: "silent" });
  [direct, stock, proxied] = await Promise.all([
    serve("direct", capturing(directLogs)),
    serve("stock", quiet(), { fanout: "stock" }),
    serve("proxied", quiet(), { databaseUrl: db.href }),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.map(closeEmoteClient));
  await Promise.all([direct, stock, proxied].map((s) => s?.server.close()));
  await proxy?.close();
  await conn.close();
});

describe.each([
  ["direct fan-out", () => direct],
  ["stock tRPC adapter", () => stock],
])("/metrics on the server's port (%s)", (_path, served) => {
  it("counts connections, subscriptions, moments received and messages delivered", async () => {
    const { server, publish } = served();
    const N = 3;
    const K = 4;
    const s = `m${randomUUID().slice(0, 6)}`;
    const subscribers = Array.from({ length: N }, () => subscribe(server, s));
    await Promise.all(subscribers.map((sub) => sub.started));
    await waitFor(
      "the subscriptions",
      async () =>
        (await metric(server, "emote_web_subscriptions_active", '{procedure="moments.live"}')) === N,
      15_000,
    );
    expect(await metric(server, "emote_web_websocket_connections")).toBe(N);
    expect(await metric(server, "emote_web_subscriptions_active", '{procedure="stats.live"}')).toBe(0);

    const moments = Array.from({ length: K }, () => moment(s));
    await publish(moments);
    await waitFor(
      "every moment at every subscriber",
      () => subscribers.every((x) => x.received.length >= K),
      15_000,
    );
    for (const sub of subscribers) expect(sub.received).toEqual(moments);

    expect(await metric(server, "emote_web_moments_received_total")).toBe(K);
    expect(await metric(server, "emote_web_messages_delivered_total")).toBe(N * K);
    expect(await metric(server, "emote_web_messages_dropped_total")).toBe(0);
    expect(await metric(server, "emote_web_slow_client_disconnects_total")).toBe(0);
    expect(await metric(server, "emote_ready")).toBe(1);
    expect(await metric(server, "process_cpu_seconds_total")).toBeGreaterThan(0);

    await Promise.all(subscribers.map((sub) => closeEmoteClient(sub.client)));
    await waitFor(
      "connections and subscriptions back to 0",
      async () =>
        (await metric(server, "emote_web_websocket_connections")) === 0 &&
        (await metric(server, "emote_web_subscriptions_active", '{procedure="moments.live"}')) === 0,
      15_000,
    );
  });
});

describe("/readyz", () => {
  const readyz = async (server: RunningWebServer) => {
    const res = await fetch(`${server.url}/readyz`);
    return {
      status: res.status,
      body: (await res.json()) as {
        failing?: string[];
        checks: { name: string; label: string; ok: boolean }[];
      },
    };
  };

  it("turns 503 naming PostgreSQL while the database is unreachable, and 200 again when it returns", async () => {
    const { server } = proxied;
    const ready = await readyz(server);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.map((c) => [c.name, c.ok])).toEqual([
      ["kafka", true],
      ["postgresql", true],
    ]);
    expect(ready.body.checks[0]?.label).toMatch(/^Kafka consumer group emote-web-/);

    await proxy.cut();
    await waitFor("/readyz to fail", async () => (await readyz(server)).status === 503, 15_000);
    const down = await readyz(server);
    expect(down.body.failing).toHaveLength(1);
    expect(down.body.failing?.[0]).toMatch(/^PostgreSQL: /);
    expect(down.body.failing?.[0]).not.toContain("Failed query"); // the driver's reason
    expect(await metric(server, "emote_dependency_up", '{dependency="postgresql"}')).toBe(0);
    expect(await metric(server, "emote_dependency_up", '{dependency="kafka"}')).toBe(1);
    // Alive all the same.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await proxy.restore();
    await waitFor("/readyz to pass again", async () => (await readyz(server)).status === 200, 20_000);
    expect(await metric(server, "emote_ready")).toBe(1);
  });
});

describe("trace context", () => {
  const traceparent = (): string =>
    `00-${randomUUID().replaceAll("-", "")}-${randomUUID().replaceAll("-", "").slice(0, 16)}-01`;

  it("delivers a moment with the traceparent it came with from Kafka, live and from the backfill", async () => {
    const { server, publish } = direct;
    const s = `t${randomUUID().slice(0, 6)}`;
    const live = subscribe(server, s);
    await live.started;
    const first = moment(s, { traceparent: traceparent() });
    const second = moment(s, { traceparent: traceparent() });
    await publish([first, second]);
    await waitFor("the live moments", () => live.received.length >= 2, 15_000);
    expect(live.received).toEqual([first, second]);

    // One span and one debug line per moment, naming its trace id and who got it.
    const traceId = second.traceparent?.split("-")[1];
    await waitFor("the delivery log line", () => directLogs.some((l) => l.momentId === second.id));
    expect(directLogs.find((l) => l.momentId === second.id)).toMatchObject({
      msg: "moment delivered",
      level: 20,
      streamerId: s,
      traceId,
      subscribers: 1,
    });

    // A client resuming after the first gets the second from PostgreSQL, same traceparent.
    const resumed = subscribe(server, s, first.id);
    await resumed.started;
    await waitFor("the backfilled moment", () => resumed.received.length >= 1, 15_000);
    expect(resumed.received).toEqual([second]);
  });

  it("does the same through tRPC's stock adapter", async () => {
    const { server, publish } = stock;
    const s = `u${randomUUID().slice(0, 6)}`;
    const live = subscribe(server, s);
    await live.started;
    const m = moment(s, { traceparent: traceparent() });
    await publish([m]);
    await waitFor("the live moment", () => live.received.length >= 1, 15_000);
    expect(live.received).toEqual([m]);
  });
});
