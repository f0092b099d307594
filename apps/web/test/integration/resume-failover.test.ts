import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  closeEmoteClient,
  createEmoteClient,
  isResumePositionLost,
  type EmoteClient,
} from "@emote/api/client";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus } from "@emote/bus";
import type { Moment } from "@emote/contracts";
import {
  and,
  asc,
  connectDatabase,
  consumerCheckpoints,
  eq,
  inArray,
  moments,
  rowToMoment,
  saveSettings,
  sql,
} from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { startServerProcess, type ServerProcess } from "./server-process.ts";

/**
 * Issue 12's resume guarantee with everything as deployed: two workers in one group and
 * web servers as their own processes, on the real Kafka and PostgreSQL. Subscribers fail
 * over between servers with their last event ids — once while a worker's commit is held
 * open by a row lock — and must end up with every moment of the log exactly once, in
 * the log's order.
 */

const infra = testInfraConfig();
const run = randomUUID().slice(0, 8);
const PARTITIONS = 3;
const vars = {
  KAFKA_BROKERS: infra.brokers.join(","),
  DATABASE_URL: infra.databaseUrl,
  KAFKA_TOPIC_PREFIX: `it-resume-${run}.`,
  KAFKA_PARTITIONS: String(PARTITIONS),
};
const groupId = `it-resume-worker-${run}`;
const streamers = Array.from({ length: 4 }, (_, i) => `resume-${run}-${i}`);
const conn = connectDatabase(infra.databaseUrl, { max: 4 });
const workerDir = fileURLToPath(new URL("../../../worker", import.meta.url));
const workers: ChildProcess[] = [];
const servers: ServerProcess[] = [];
const clients: EmoteClient[] = [];
let bus: Bus;

function startWorker(): ChildProcess {
  // node itself (not an npx wrapper), so a kill reaches the worker.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: {
      ...process.env,
      ...vars,
      WORKER_GROUP_ID: groupId,
      WORKER_SESSION_TIMEOUT_MS: "6000",
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  workers.push(child);
  return child;
}

async function startServer(): Promise<ServerProcess> {
  const server = await startServerProcess(vars);
  servers.push(server);
  return server;
}

/** A gateway that dies at once (no reconnect notice, no drain). */
async function killServer(server: ServerProcess): Promise<void> {
  process.kill(server.pid, "SIGKILL");
  await server.stop();
}

interface Follower {
  received: Moment[];
  error: unknown;
  started: Promise<void>;
  client: EmoteClient;
}

/** A moments.live subscriber with the typed client (wsLink), from `lastEventId` when given. */
function follow(server: ServerProcess, streamerId: string | undefined, lastEventId?: string): Follower {
  const client = createEmoteClient({
    url: server.url,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  clients.push(client);
  let resolveStarted!: () => void;
  const f: Follower = {
    received: [],
    error: undefined,
    started: new Promise<void>((r) => (resolveStarted = r)),
    client,
  };
  client.moments.live.subscribe(
    { ...(streamerId && { streamerId }), ...(lastEventId && { lastEventId }) },
    {
      onStarted: () => resolveStarted(),
      onData: (e) => f.received.push(e.data),
      onError: (err) => (f.error = err),
    },
  );
  return f;
}

const ours = (ms: Moment[]) => ms.filter((m) => streamers.includes(m.streamerId));

let produced = 0;
const stream = generateEmotes({
  seed: 12,
  streamers: streamers.length,
  start: Date.UTC(2015, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000,
  rate: 2,
});
async function produce(count: number): Promise<void> {
  const producer = await bus.producer();
  for (let sent = 0; sent < count; sent += 200) {
    const records = [];
    for (let i = 0; i < Math.min(200, count - sent); i++) {
      const next = stream.next();
      if (next.done) throw new Error("the stream ended");
      const m = next.value;
      const streamerId = streamers[Number(m.streamerId.slice(1)) - 1] as string;
      records.push({ key: streamerId, value: JSON.stringify({ ...m, streamerId }) });
    }
    await producer.send([{ topic: bus.topics.raw, records }]);
    produced += records.length;
  }
  await producer.disconnect();
}

async function applied(): Promise<number> {
  const [row] = await conn.db
    .select({ total: sql<string>`coalesce(sum(${consumerCheckpoints.nextOffset}), 0)` })
    .from(consumerCheckpoints)
    .where(eq(consumerCheckpoints.groupId, groupId));
  return Number(row?.total ?? 0);
}

/**
 * The moment log of these streamers (or one), as PostgreSQL holds it: the seed's rule's moments,
 * what moments.live delivers to a subscriber that names no kinds.
 */
async function stored(streamerId?: string): Promise<Moment[]> {
  const rows = await conn.db
    .select()
    .from(moments)
    .where(
      and(
        streamerId ? eq(moments.streamerId, streamerId) : inArray(moments.streamerId, streamers),
        eq(moments.kind, "threshold"),
      ),
    )
    .orderBy(asc(moments.position));
  return rows.map(rowToMoment);
}

beforeAll(async () => {
  bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "resume-it" }), {
    partitions: PARTITIONS,
    topicPrefix: vars.KAFKA_TOPIC_PREFIX,
  });
  await bus.ensureTopics();
  // Short batches: many moments from a short stream.
  for (const s of streamers) await saveSettings(conn.db, s, { interval: 8 });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map(closeEmoteClient));
  await Promise.all(servers.map((s) => s.stop()));
  for (const w of workers) w.kill("SIGKILL");
  await conn.close();
}, 60_000);

describe("resume across gateways (worker and web server processes)", () => {
  it("gives a one-streamer and an all-streamer subscriber every moment once, in order, across two failovers — one while a commit is held open", async () => {
    const [a, b] = await Promise.all([startServer(), startServer(), startWorker(), startWorker()]);
    if (!a || !b) throw new Error("no servers");
    const one = streamers[0] as string;
    const onA = { one: follow(a, one), all: follow(a, undefined) };
    await Promise.all([onA.one.started, onA.all.started]);

    await produce(1_200);
    await waitFor(
      "moments on A",
      () => ours(onA.all.received).length >= 20 && onA.one.received.length >= 3,
      90_000,
    );

    // Failover 1, mid-stream: A's clients go away; they resume on B with their last ids.
    const feeding = produce(1_200);
    await Promise.all([closeEmoteClient(onA.one.client), closeEmoteClient(onA.all.client)]);
    const onB = {
      one: follow(b, one, onA.one.received.at(-1)?.id),
      all: follow(b, undefined, onA.all.received.at(-1)?.id),
    };
    await Promise.all([onB.one.started, onB.all.started, feeding]);
    // B serves part of the stream before it dies (under load the workers may still be on it).
    await waitFor("moments on B", () => ours(onB.all.received).length > 0, 90_000);

    // Hold the next commit of a partition that has streamers open: its checkpoint row is locked.
    await waitFor("a checkpoint", async () => (await applied()) > 0, 60_000);
    const [held] = await conn.db
      .select({ partition: consumerCheckpoints.partition })
      .from(consumerCheckpoints)
      .where(eq(consumerCheckpoints.groupId, groupId))
      .limit(1);
    const heldPartition = held?.partition ?? 0;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = conn.db.transaction(async (tx) => {
      await tx
        .select()
        .from(consumerCheckpoints)
        .where(
          and(eq(consumerCheckpoints.groupId, groupId), eq(consumerCheckpoints.partition, heldPartition)),
        )
        .for("update");
      locked();
      await released;
    });
    await isLocked;
    await produce(1_200);
    await waitFor(
      "a worker's commit waiting on the lock",
      async () => {
        const [row] = await conn.db
          .select({ n: sql<number>`count(*)::int` })
          .from(sql`pg_stat_activity`)
          .where(sql`datname = current_database() and wait_event_type = 'Lock'`);
        return (row?.n ?? 0) > 0;
      },
      60_000,
    );

    // Failover 2, while the commit is held: B dies; its clients resume on a new server C.
    await killServer(b);
    await Promise.all([closeEmoteClient(onB.one.client), closeEmoteClient(onB.all.client)]);
    const c = await startServer();
    const lastOf = (...fs: Follower[]) => fs.flatMap((f) => f.received).at(-1)?.id;
    const onC = {
      one: follow(c, one, lastOf(onA.one, onB.one)),
      all: follow(c, undefined, lastOf(onA.all, onB.all)),
    };
    await Promise.all([onC.one.started, onC.all.started]);
    release();
    await holder;
    await produce(1_200);

    await waitFor("every emote applied", async () => (await applied()) === produced, 120_000);
    const [all, ofOne] = [await stored(), await stored(one)];
    expect(all.length).toBeGreaterThan(100);
    const gotAll = () => ours([...onA.all.received, ...onB.all.received, ...onC.all.received]);
    const gotOne = () => [...onA.one.received, ...onB.one.received, ...onC.one.received];
    await waitFor(
      "every moment at both subscribers",
      () => gotAll().length >= all.length && gotOne().length >= ofOne.length,
      60_000,
    );

    console.log(
      `[resume] ${all.length} moments (${ofOne.length} of ${one}); all-streamer subscriber got ${[onA, onB, onC].map((x) => ours(x.all.received).length).join(" + ")} on A, B, C`,
    );
    // Exactly the log, once each, in its order — across both failovers.
    expect(gotAll().map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect(gotOne().map((m) => m.id)).toEqual(ofOne.map((m) => m.id));
    expect(gotAll()).toEqual(all);
    // Each server delivered part of it: the failovers happened mid-stream.
    for (const f of [onA.all, onB.all, onC.all]) expect(ours(f.received).length).toBeGreaterThan(0);
    expect([onC.one.error, onC.all.error]).toEqual([undefined, undefined]);
  }, 300_000);

  it("ends a resume from a position that cannot be recovered with the resume-lost signal", async () => {
    const server = servers.at(-1) ?? (await startServer());
    const [first] = await stored();
    if (!first) throw new Error("no stored moment");
    // Removed from the log (retention), never stored, and not an id at all.
    await conn.db.delete(moments).where(eq(moments.id, first.id));
    for (const lastEventId of [first.id, `never-${run}`, "x".repeat(300)]) {
      const f = follow(server, undefined, lastEventId);
      await waitFor("the signal", () => f.error !== undefined, 30_000);
      expect(isResumePositionLost(f.error)).toBe(true);
      expect(String((f.error as Error).message)).toContain("some moments were missed");
      expect(f.received).toEqual([]);
    }
  }, 120_000);
});
