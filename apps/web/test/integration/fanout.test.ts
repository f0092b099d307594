import { randomUUID } from "node:crypto";
import { DEV_AUTH_SECRET } from "@emote/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { closeEmoteClient, createEmoteClient } from "@emote/api/client";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus } from "@emote/bus";
import type { Moment } from "@emote/contracts";
import { connectDatabase } from "@emote/db";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { readWebEnv } from "../../src/server/env.ts";
import { startWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { storeAndPublish } from "./live-helpers.ts";

// The moments.live fast path (moment-fanout.ts) must put on the wire exactly what tRPC's
// stock adapter sends: one server of each kind, the same moments, raw frames compared.
const infra = testInfraConfig();
const prefix = `it-fanout-${randomUUID().slice(0, 8)}.`;
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
let direct: RunningWebServer;
let stock: RunningWebServer;
let bus: Bus;

const quiet = () => createObservability("emote-web", { LOG_LEVEL: "silent" });

beforeAll(async () => {
  const env = readWebEnv({
    AUTH_SECRET: DEV_AUTH_SECRET,
    KAFKA_BROKERS: infra.brokers.join(","),
    DATABASE_URL: infra.databaseUrl,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: "1",
    PORT: "0",
  });
  [direct, stock] = await Promise.all([
    startWebServer(env, quiet()),
    startWebServer(env, quiet(), { fanout: "stock" }),
  ]);
  bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "fanout-it" }), {
    partitions: 1,
    topicPrefix: prefix,
  });
});

afterAll(async () => {
  await Promise.all([direct.close(), stock.close()]);
  await conn.close();
});

/** One record of moments, stored and numbered first as the worker does. */
const publish = (moments: Moment[]) => storeAndPublish(conn.db, bus, moments, "one");

/** A raw tRPC WebSocket subscriber: every text frame it receives, in order. */
async function rawSubscriber(server: RunningWebServer, input: Record<string, unknown>) {
  const socket = new WebSocket(`${server.url.replace("http", "ws")}/trpc`);
  const frames: string[] = [];
  socket.on("message", (data: Buffer) => frames.push(data.toString("utf8")));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  socket.send(JSON.stringify({ id: 3, method: "subscription", params: { path: "moments.live", input } }));
  await waitFor("the first frame", () => frames.length > 0, 15_000);
  return { socket, frames };
}

describe("moments.live fan-out", () => {
  it("sends the same frames as tRPC's stock adapter, serialised once per moment", async () => {
    const s = `f${randomUUID().slice(0, 6)}`;
    const a = await rawSubscriber(direct, { streamerId: s });
    const b = await rawSubscriber(stock, { streamerId: s });
    const moments: Moment[] = [1, 2].map((i) => ({
      id: `${s}-${i}`,
      streamerId: s,
      emote: "🔥",
      timestamp: new Date(Date.UTC(2007, 0, 1, 0, i)).toISOString(),
      count: 5,
      total: 9,
      ratio: 5 / 9,
    }));
    await publish([...moments, { ...(moments[0] as Moment), id: `${s}-other`, streamerId: `${s}x` }]);
    // A later record for the same streamer: once its frame is in, nothing of the first is still coming.
    const last = { ...(moments[1] as Moment), id: `${s}-last` };
    await publish([last]);
    await waitFor("four frames on each socket", () => a.frames.length >= 4 && b.frames.length >= 4, 15_000);
    expect(a.frames).toHaveLength(4);
    expect(a.frames).toEqual(b.frames);
    expect(JSON.parse(a.frames[1] as string)).toEqual({
      id: 3,
      result: { type: "data", id: moments[0]?.id, data: { id: moments[0]?.id, data: moments[0] } },
    });
    expect(direct.fanoutStats()).toMatchObject({ subscriptions: 1, framesSent: 3, framesDropped: 0 });
    expect(stock.fanoutStats()).toBeUndefined();
    a.socket.close();
    b.socket.close();
    await waitFor("the subscriptions to end", () => direct.fanoutStats()?.subscriptions === 0, 15_000);
  });

  it("filters by kind as the stock path does: the seed's rule by default, surges on request", async () => {
    const s = `k${randomUUID().slice(0, 6)}`;
    const inputs = [
      { streamerId: s },
      { streamerId: s, kinds: ["surge"] },
      { kinds: ["threshold", "surge"] },
    ];
    const direct3 = await Promise.all(inputs.map((input) => rawSubscriber(direct, input)));
    const stock3 = await Promise.all(inputs.map((input) => rawSubscriber(stock, input)));
    const rule: Moment = {
      id: `${s}-rule`,
      streamerId: s,
      emote: "🔥",
      timestamp: new Date(Date.UTC(2007, 0, 3)).toISOString(),
      count: 5,
      total: 9,
      ratio: 5 / 9,
    };
    const surge: Moment = {
      ...rule,
      id: `${s}-surge`,
      kind: "surge",
      surge: {
        startedAt: new Date(Date.UTC(2007, 0, 3, 0, 0, 5)).toISOString(),
        detectedAt: new Date(Date.UTC(2007, 0, 3, 0, 0, 7)).toISOString(),
        peakRate: 6,
        baselineRate: 0.4,
        score: 8.5,
        viewers: 12,
      },
    };
    await publish([rule, surge]);
    const last = { ...rule, id: `${s}-last` };
    await publish([last]);
    // After the started frame, this streamer's: rule, last | surge | rule, surge, last.
    const expected = [2, 1, 3];
    const done = (subs: { frames: string[] }[]) =>
      subs.every((sub, i) => sub.frames.filter((f) => f.includes(s)).length >= (expected[i] ?? 0));
    await waitFor("every frame on each socket", () => done(direct3) && done(stock3), 15_000);
    for (const [i, sub] of direct3.entries()) {
      const ours = (frames: string[]) => frames.filter((f, n) => n === 0 || f.includes(s));
      expect(ours(sub.frames)).toEqual(ours(stock3[i]?.frames ?? []));
      expect(ours(sub.frames)).toHaveLength((expected[i] ?? 0) + 1);
    }
    const ids = (frames: string[]) =>
      frames.slice(1).flatMap((f) => {
        const id = (JSON.parse(f) as { result: { id?: string } }).result.id;
        return id?.startsWith(s) ? [id] : [];
      });
    expect(ids(direct3[0]?.frames ?? [])).toEqual([rule.id, last.id]);
    expect(ids(direct3[1]?.frames ?? [])).toEqual([surge.id]);
    expect(ids(direct3[2]?.frames ?? [])).toEqual([rule.id, surge.id, last.id]);
    // All three went through the fast path, not the stock one.
    expect(direct.fanoutStats()?.subscriptions).toBe(3);
    for (const sub of [...direct3, ...stock3]) sub.socket.close();
    await waitFor("the subscriptions to end", () => direct.fanoutStats()?.subscriptions === 0, 15_000);
  });

  it("serves wsLink clients (with connection params) through the fast path", async () => {
    const s = `g${randomUUID().slice(0, 6)}`;
    const client = createEmoteClient({
      url: direct.url,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    const received: Moment[] = [];
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const sent = direct.fanoutStats()?.framesSent ?? 0;
    client.moments.live.subscribe(
      { streamerId: s },
      { onStarted: () => started(), onData: (e) => received.push(e.data) },
    );
    await isStarted;
    const m: Moment = {
      id: `${s}-1`,
      streamerId: s,
      emote: "🔥",
      timestamp: new Date(Date.UTC(2007, 0, 2)).toISOString(),
      count: 5,
      total: 9,
      ratio: 5 / 9,
    };
    await publish([m]);
    await waitFor("the moment", () => received.length === 1, 15_000);
    expect(received).toEqual([m]);
    expect(direct.fanoutStats()?.framesSent).toBe(sent + 1);
    await closeEmoteClient(client);
  });
});
