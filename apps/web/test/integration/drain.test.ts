import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { closeEmoteClient, createEmoteClient, type EmoteClient } from "@emote/api/client";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus, IncomingRecord } from "@emote/bus";
import type { Moment } from "@emote/contracts";
import { asc, commitAnalysis, connectDatabase, createStreamer, eq, moments, rowToMoment } from "@emote/db";
import type { AnyRouter } from "@trpc/server";
import type { TRPCClientError } from "@trpc/client";
import { startTcpProxy, testInfraConfig, waitFor, type TcpProxy } from "@emote/testkit";
import { publishMoments } from "./live-helpers.ts";
import { startServerProcess, type ServerProcess } from "./server-process.ts";

/**
 * A gateway SIGTERMed behind a balancer (a TCP proxy that sends new connections to the
 * other gateway): a subscriber and a viewer in the middle of a burst of emotes.send.
 * Every acknowledged emote is on raw-emote-data; one the gateway did not take is sent again
 * by the client (emote-send-retry.ts) or fails unanswered with 1012, never another way; the
 * subscriber is told 1012, reconnects through the balancer and resumes from its last event
 * id: every moment of its streamer once, in log order.
 */
const infra = testInfraConfig();
const run = randomUUID().slice(0, 8);
const prefix = `it-drain-${run}.`;
const vars = {
  KAFKA_BROKERS: infra.brokers.join(","),
  DATABASE_URL: infra.databaseUrl,
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_PARTITIONS: "1",
  WEB_DRAIN_TIMEOUT_MS: "5000",
  EMOTE_RATE_PER_SECOND: "10000",
  EMOTE_BURST: "10000",
};
const streamerId = `drain-${run}`;
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const servers: ServerProcess[] = [];
const clients: EmoteClient[] = [];
let proxy: TcpProxy;
let bus: Bus;

const portOf = (server: ServerProcess) => Number(new URL(server.url).port);

beforeAll(async () => {
  await createStreamer(conn.db, streamerId, "drain-test");
  servers.push(...(await Promise.all([startServerProcess(vars), startServerProcess(vars)])));
  proxy = await startTcpProxy({ host: "127.0.0.1", port: portOf(servers[0] as ServerProcess) });
  bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "drain-it" }), {
    partitions: 1,
    topicPrefix: prefix,
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map(closeEmoteClient));
  await Promise.all(servers.map((s) => s.stop()));
  await proxy?.close();
  await conn.close();
});

let counter = 0;
/** What the worker does for an analysis: store the moments (numbered in the log), then publish them. */
async function detect(count: number): Promise<void> {
  const batch: Moment[] = Array.from({ length: count }, () => {
    counter++;
    return {
      id: `${streamerId}-${counter}`,
      streamerId,
      emote: "🔥",
      timestamp: new Date(Date.UTC(2009, 0, 1, 0, counter)).toISOString(),
      count: 10,
      total: 20,
      ratio: 0.5,
    };
  });
  const positions = await commitAnalysis(conn.db, {
    groupId: `drain-it-${run}`,
    topic: "drain-it",
    partition: 0,
    nextOffset: BigInt(counter),
    streamers: [],
    moments: batch,
  });
  batch.forEach((m, i) => (m.position = positions[i]));
  await publishMoments(bus, batch);
}

/** The ids of every emote on raw-emote-data, read by a fresh group once `wanted` are all in. */
async function rawEmoteIds(wanted: string[]): Promise<Set<string>> {
  const records: IncomingRecord[] = [];
  const consumer = await bus.consumer({ groupId: `drain-reader-${randomUUID()}`, topics: [bus.topics.raw] });
  await consumer.run(async (batch, control) => {
    records.push(...batch.records);
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  const ids = () => new Set(records.map((r) => (JSON.parse(String(r.value)) as { id: string }).id));
  try {
    await waitFor(
      "the acknowledged emotes on raw-emote-data",
      () => {
        const seen = ids();
        return wanted.every((id) => seen.has(id));
      },
      30_000,
    ).catch(() => undefined);
  } finally {
    await consumer.disconnect();
  }
  return ids();
}

describe("a gateway draining on SIGTERM behind a balancer", () => {
  it("answers or fails every emote in flight (none acknowledged and lost), and its subscriber resumes on the other gateway exactly", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const url = `http://127.0.0.1:${proxy.port}`;
    const client = createEmoteClient({ url, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    clients.push(client);
    const received: Moment[] = [];
    const errors: unknown[] = [];
    let started!: () => void;
    const subscribed = new Promise<void>((resolve) => (started = resolve));
    client.moments.live.subscribe(
      { streamerId },
      {
        onStarted: () => started(),
        onData: (e) => received.push(e.data),
        onError: (err) => errors.push(err),
      },
    );
    await subscribed;
    await detect(5);
    await waitFor("the moments before the drain", () => received.length === 5, 30_000);

    // Bursts of emotes on the same socket (the client sends each tick's calls as one
    // message), and the SIGTERM while they are on their way.
    const send = () =>
      client.emotes.send.mutate({ streamerId, emote: "🔥" }).then(
        (sent) => ({ ok: true as const, id: sent.id }),
        (err: TRPCClientError<AnyRouter>) => ({
          ok: false as const,
          // No answer (`data`): the socket closed first. Its close code says why.
          failure: `${err.data === undefined ? "unanswered" : "answered"}, closed ${(err.cause as { code?: number } | undefined)?.code}`,
        }),
      );
    const sends: ReturnType<typeof send>[] = [];
    for (let round = 0; round < 6; round++) {
      if (round === 3) {
        proxy.retarget({ host: "127.0.0.1", port: portOf(b) });
        process.kill(a.pid, "SIGTERM");
      }
      for (let i = 0; i < 50; i++) sends.push(send());
      await new Promise((r) => setTimeout(r, 2));
    }
    const outcomes = await Promise.all(sends);
    expect(await a.exited).toBe(0);
    expect(a.logs.some((l) => /"msg":"drained: 1 WebSockets closed with 1012/.test(l))).toBe(true);

    // Moments stored while the subscriber is away, then on the other gateway.
    await detect(5);
    await waitFor("the subscriber to resume on the other gateway", () => received.length >= 10, 30_000);
    await detect(3);
    await waitFor("the moments after the drain", () => received.length >= 13, 30_000);

    const log = (
      await conn.db
        .select()
        .from(moments)
        .where(eq(moments.streamerId, streamerId))
        .orderBy(asc(moments.position))
    ).map(rowToMoment);
    expect(received.map((m) => m.position)).toEqual(log.map((m) => m.position));
    expect(received.map((m) => m.id)).toEqual(log.map((m) => m.id));
    expect(errors).toEqual([]);

    const acked = outcomes.flatMap((o) => (o.ok ? [o.id] : []));
    const failed = outcomes.flatMap((o) => (o.ok ? [] : [o.failure]));
    expect(acked.length + failed.length).toBe(300);
    expect(acked.length, `failures: ${[...new Set(failed)].join("; ")}`).toBeGreaterThan(0);
    // A call the gateway did not take fails unanswered on the closed socket: sent again, it goes elsewhere.
    expect([...new Set(failed)].filter((f) => f !== "unanswered, closed 1012")).toEqual([]);
    const onTopic = await rawEmoteIds(acked);
    expect(acked.filter((id) => !onTopic.has(id))).toEqual([]);

    // The same client goes on sending, now through the other gateway.
    expect((await client.emotes.send.mutate({ streamerId, emote: "🔥" })).id).toBeTruthy();
  });
});
