import { randomBytes } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createKafka } from "@emote/bus/kafka";
import { DEFAULT_SETTINGS, DLQ_REASONS, type DlqReason } from "@emote/contracts";
import { and, connectDatabase, eq, loadCheckpoint, moments, rowToMoment, saveSettings } from "@emote/db";
import { createObservability, TRACEPARENT } from "@emote/observability";
import { DLQ_HEADERS } from "../../src/dead-letter.ts";
import { startWorker, type StartedWorker } from "../../src/worker.ts";
import {
  busFor,
  byId,
  collect,
  expectedMoments,
  infra,
  isolatedEnv,
  privateStart,
  waitFor,
  type RawMessage,
} from "../harness.ts";

const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const running: StartedWorker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});
afterAll(() => conn.close());

/**
 * kafkajs's own lines about its group membership: a member whose heartbeats came late is
 * dropped, its consumer crashes with a retriable error and restarts. A poison record's
 * error loop names the record's error instead, and fails the test.
 */
const GROUP_CHURN =
  /rebalanc|coordinator|not aware of this member|generation|heartbeat|Restarting the consumer|Request .* timed out/i;
function isGroupChurn(line: string): boolean {
  const { component } = JSON.parse(line) as { component?: string };
  return component === "kafkajs" && GROUP_CHURN.test(line);
}

/** One hostile record: its value (null: a tombstone), headers, and what the DLQ must say of it. */
interface Poison {
  name: string;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** The reason it is dead-lettered with; undefined when it is a good emote despite its headers. */
  reason: DlqReason | DlqReason[] | undefined;
}

describe("the worker against a poison corpus, on the real Kafka and PostgreSQL", () => {
  // Its waits are bounded one by one (90 s to consume, 60 s for the DLQ), the test by their sum.
  it(
    "analyses every good emote after each poison record, dead-letters the poison with its reason, and stays ready without an error loop",
    { timeout: 240_000 },
    async () => {
      const env = isolatedEnv({ KAFKA_PARTITIONS: "1" });
      const bus = busFor(env);
      await bus.ensureTopics();
      const streamerId = `poison-${env.WORKER_GROUP_ID.slice(-8)}`;
      const settings = { ...DEFAULT_SETTINGS, interval: 10 };
      // Its own settings row: the open batch's counts are then stored as jsonb with each commit.
      await saveSettings(conn.db, streamerId, { interval: settings.interval });
      const start = privateStart(2001);
      const emote = (e: string, timestamp: string) => JSON.stringify({ emote: e, timestamp, streamerId });
      const iso = new Date(start).toISOString();

      const corpus: Poison[] = [
        { name: "U+0000 in an emote", value: emote("a\u0000b", iso), reason: "invalid_emote" },
        { name: "a lone surrogate", value: emote("\ud83d", iso), reason: "invalid_emote" },
        { name: "year 0000", value: emote("🔥", "0000-06-01T00:00:00Z"), reason: "timestamp_out_of_range" },
        { name: "year 9999", value: emote("🔥", "9999-12-31T00:00:00Z"), reason: "timestamp_out_of_range" },
        { name: "1,048,000 bytes", value: Buffer.alloc(1_048_000, 0x7b), reason: "too_large" },
        { name: "not JSON", value: "{nope", reason: "not_json" },
        { name: "a JSON array", value: `[${emote("🔥", iso)}]`, reason: "invalid" },
        { name: "a tombstone", value: null, reason: "empty" },
        {
          name: "binary garbage",
          value: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), randomBytes(2_000)]),
          reason: "not_json",
        },
        {
          name: "100,000 nested brackets",
          value: "[".repeat(100_000) + "]".repeat(100_000),
          reason: "too_large",
        },
        // Within the size limit: parsed (or refused as too deep), never a crash.
        {
          name: "30,000 nested brackets",
          value: "[".repeat(30_000) + "]".repeat(30_000),
          reason: ["invalid", "not_json"],
        },
        {
          name: "5,000 combining marks",
          value: emote(`e${"\u0301".repeat(5_000)}`, iso),
          reason: "invalid_emote",
        },
        // A good emote with a hostile header: analysed, the header ignored.
        {
          name: "a 100 KB traceparent",
          value: emote("🔥", iso),
          headers: { [TRACEPARENT]: "0".repeat(100_000) },
          reason: undefined,
        },
      ];
      const good: RawMessage[] = [];
      const kafka = createKafka({ brokers: infra.brokers, clientId: "poison-it" });
      const producer = kafka.producer();
      await producer.connect();
      let sent = 0;
      for (const [i, p] of corpus.entries()) {
        if (p.reason === undefined) good.push({ emote: "🔥", timestamp: iso, streamerId });
        // Each poison record followed on the same key by good emotes, of the same minute.
        const after = Array.from({ length: 10 }, (_, j): RawMessage => ({
          emote: j % 3 === 0 ? "😀" : "🔥",
          timestamp: new Date(start + i * 60_000 + j * 1_000).toISOString(),
          streamerId,
        }));
        good.push(...after);
        // Two sends: the largest poison alone nearly fills a record batch.
        await producer.send({
          topic: bus.topics.raw,
          acks: -1,
          messages: [{ key: streamerId, value: p.value, ...(p.headers ? { headers: p.headers } : {}) }],
        });
        await producer.send({
          topic: bus.topics.raw,
          acks: -1,
          messages: after.map((m) => ({ key: streamerId, value: JSON.stringify(m) })),
        });
        sent += 1 + after.length;
      }
      await producer.disconnect();

      const lines: string[] = [];
      const obs = createObservability(
        "emote-worker-test",
        { LOG_LEVEL: "info" },
        { write: (l: string) => void lines.push(l) },
      );
      const worker = await startWorker(env, obs);
      running.push(worker);
      await waitFor(
        "every record consumed",
        async () => (await worker.metrics.totals()).consumed === sent,
        90_000,
      );

      // The partition's checkpoint is past every record, poison included.
      expect(await loadCheckpoint(conn.db, env.WORKER_GROUP_ID, bus.topics.raw, 0)).toBe(BigInt(sent));
      // Every good emote analysed, as if the poison were absent.
      const rows = await conn.db
        .select()
        .from(moments)
        .where(and(eq(moments.streamerId, streamerId)));
      expect(byId(rows.map(rowToMoment))).toEqual(byId(expectedMoments(good, () => settings)));
      expect(rows.length).toBeGreaterThan(0);

      const dlq = await collect(bus, bus.topics.dlq);
      const poisons = corpus.filter((p) => p.reason !== undefined);
      await waitFor("the DLQ", () => dlq.records.length === poisons.length);
      await dlq.stop();
      const header = (r: (typeof dlq.records)[number], name: string) => String(r.headers?.[name] ?? "");
      poisons.forEach((p, i) => {
        const r = dlq.records[i];
        if (!r) throw new Error(`no dead letter for ${p.name}`);
        const reasons = Array.isArray(p.reason) ? p.reason : [p.reason];
        expect({ name: p.name, ok: reasons.includes(header(r, DLQ_HEADERS.reason) as DlqReason) }).toEqual({
          name: p.name,
          ok: true,
        });
        expect(DLQ_REASONS).toContain(header(r, DLQ_HEADERS.reason));
        expect(header(r, DLQ_HEADERS.originalSize)).toBe(
          String(p.value === null ? 0 : Buffer.byteLength(p.value)),
        );
      });
      const big = dlq.records[corpus.findIndex((p) => p.name === "1,048,000 bytes")];
      expect(big && header(big, DLQ_HEADERS.truncated)).toBe("value");

      // Ready, and no error loop: the outcomes above, and no error logged but the group
      // churn a loaded machine causes (late heartbeats: the member is dropped and rejoins).
      expect((await fetch(`${worker.probes.url}/readyz`)).status).toBe(200);
      const errors = lines.filter((l) => {
        const { level } = JSON.parse(l) as { level: string | number };
        return ["error", "fatal", 50, 60].includes(level);
      });
      expect(errors.filter((l) => !isGroupChurn(l))).toEqual([]);
    },
  );
});
