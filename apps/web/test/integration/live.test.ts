import { randomUUID } from "node:crypto";
import { DEV_AUTH_SECRET } from "@emote/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { closeEmoteClient, createEmoteClient, type EmoteClient } from "@emote/api/client";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus } from "@emote/bus";
import type { Moment } from "@emote/contracts";
import { commitAnalysis, connectDatabase } from "@emote/db";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { readWebEnv } from "../../src/server/env.ts";
import { startWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { publishMoments, subscribeMoments } from "./live-helpers.ts";

const infra = testInfraConfig();
const prefix = `it-web-${randomUUID().slice(0, 8)}.`;
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
let server: RunningWebServer;
let bus: Bus;
const clients: EmoteClient[] = [];

const quiet = () => createObservability("emote-web", { LOG_LEVEL: "silent" });

beforeAll(async () => {
  const env = readWebEnv({
    AUTH_SECRET: DEV_AUTH_SECRET,
    KAFKA_BROKERS: infra.brokers.join(","),
    DATABASE_URL: infra.databaseUrl,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: "2",
    PORT: "0",
  });
  server = await startWebServer(env, quiet());
  bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "web-it" }), {
    partitions: 2,
    topicPrefix: prefix,
  });
});

afterAll(async () => {
  await Promise.all(clients.map(closeEmoteClient));
  await server.close();
  await conn.close();
});

let counter = 0;
function moment(streamerId: string): Moment {
  counter++;
  return {
    id: `${streamerId}-${counter}-${randomUUID().slice(0, 6)}`,
    streamerId,
    emote: "🔥",
    timestamp: new Date(Date.UTC(2007, 0, 1, 0, counter)).toISOString(),
    count: 10,
    total: 20,
    ratio: 0.5,
  };
}

/** What the worker does for each analysis: store, then publish with the positions stored. */
async function detect(...moments: Moment[]): Promise<void> {
  const positions = await commitAnalysis(conn.db, {
    groupId: `web-it-${prefix}`,
    topic: "web-it",
    partition: 0,
    nextOffset: BigInt(counter),
    streamers: [],
    moments,
  });
  moments.forEach((m, i) => (m.position = positions[i]));
  await publishMoments(bus, moments);
}

const subscribe = (streamerId: string, lastEventId?: string) =>
  subscribeMoments(server.url, clients, streamerId, lastEventId);

describe("moments.live over WebSocket on the real server", () => {
  it("gives each client exactly the moments of the streamer it asked for", async () => {
    const a = `a${randomUUID().slice(0, 6)}`;
    const b = `b${randomUUID().slice(0, 6)}`;
    const forA = subscribe(a);
    const forB = subscribe(b);
    await Promise.all([forA.started, forB.started]);
    const momentsA = [moment(a), moment(a), moment(a)];
    const momentsB = [moment(b), moment(b)];
    await detect(
      momentsA[0] as Moment,
      momentsB[0] as Moment,
      momentsA[1] as Moment,
      momentsB[1] as Moment,
      momentsA[2] as Moment,
    );
    await waitFor("both clients", () => forA.received.length >= 3 && forB.received.length >= 2);
    // A moment published twice (a worker crash) reaches nobody twice, and another
    // streamer's reaches neither. The later moments of each streamer (same partition,
    // in order) and the other streamer's own subscriber show all of those were handled.
    const other = `o${randomUUID().slice(0, 6)}`;
    const forOther = subscribe(other);
    await forOther.started;
    const otherMoment = moment(other);
    await detect(momentsA[0] as Moment);
    await detect(otherMoment);
    const [lastA, lastB] = [moment(a), moment(b)];
    await detect(lastA, lastB);
    await waitFor("the later moments", () => forA.received.length >= 4 && forB.received.length >= 3);
    await waitFor("the other streamer's moment", () => forOther.received.length >= 1);
    expect(forA.received).toEqual([...momentsA, lastA]);
    expect(forB.received).toEqual([...momentsB, lastB]);
    expect(forOther.received).toEqual([otherMoment]);
  });

  it("resumes a client from its last event id: what it missed once, then live", async () => {
    const s = `r${randomUUID().slice(0, 6)}`;
    const first = subscribe(s);
    await first.started;
    const m1 = moment(s);
    await detect(m1);
    await waitFor("the first moment", () => first.received.length === 1);
    first.stop();
    await closeEmoteClient(first.client);

    const missed = [moment(s), moment(s)];
    await detect(...missed);

    const resumed = subscribe(s, m1.id);
    await resumed.started;
    await waitFor("the missed moments", () => resumed.received.length >= 2);
    const m4 = moment(s);
    await detect(m4);
    await waitFor("the live moment", () => resumed.received.length >= 3);
    // One more live moment: a duplicate of the backfill would have come before it.
    const m5 = moment(s);
    await detect(m5);
    await waitFor("the next live moment", () => resumed.received.some((m) => m.id === m5.id));
    expect(resumed.received).toEqual([...missed, m4, m5]);
  });
});

describe("the dashboard's data path", () => {
  it("loads the first history page, resumes live after its newest moment, and gets no stored moment as live", async () => {
    const s = `d${randomUUID().slice(0, 6)}`;
    const window = new Date(Date.UTC(2008, 0, 1)).toISOString();
    // One window's moments stored with ids that run against the moment log, more than the
    // first page holds, after one of an earlier window.
    const stored = ["e", "d", "c", "b", "a"].map((id) => ({
      ...moment(s),
      id: `${s}-${id}`,
      timestamp: window,
    }));
    await detect(moment(s));
    await detect(...stored);

    const opener = createEmoteClient({
      url: server.url,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    clients.push(opener);
    const page = await opener.moments.history.query({ streamerId: s, limit: 2 });
    expect(page.items.map((m) => m.id)).toEqual([`${s}-a`, `${s}-b`]);
    const newest = page.items[0];
    if (!newest) throw new Error("history gave no first item");
    const live = subscribe(s, newest.id);
    await live.started;
    const fresh = moment(s);
    await detect(fresh);
    await waitFor("the live moment", () => live.received.some((m) => m.id === fresh.id));
    expect(live.received).toEqual([fresh]);
  });
});

describe("WebSocket upgrades", () => {
  const attempt = (headers: Record<string, string>, path = "/trpc") =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(`${server.url.replace("http", "ws")}${path}`, { headers });
      socket.on("open", () => {
        socket.close();
        resolve(101);
      });
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.on("error", () => undefined);
    });

  it("accepts clients without an Origin and from the server's own origin, refuses other origins", async () => {
    expect(await attempt({})).toBe(101);
    expect(await attempt({ origin: server.url })).toBe(101);
    expect(await attempt({ origin: "http://localhost:5173" })).toBe(101);
    expect(await attempt({ origin: "http://evil.example" })).toBe(403);
    expect(await attempt({}, "/elsewhere")).toBe(404);
  });
});
