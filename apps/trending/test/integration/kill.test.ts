import { randomUUID } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Bus } from "@emote/bus";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { and, connectDatabase, eq, isNotNull, sql, trendingIntensity, trendingMergeState } from "@emote/db";
import { childProcesses, testInfraConfig, waitFor } from "@emote/testkit";
import type { MergeStateJson } from "../../src/merge-state.ts";
import { syntheticPlatform } from "../synthetic.ts";

const infra = testInfraConfig();
const appDir = fileURLToPath(new URL("../..", import.meta.url));
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
afterAll(() => conn.close());
const children = childProcesses();
afterEach(() => children.killAll());

function spawnTrending(vars: Record<string, string>, role: string): ChildProcess {
  // node itself (not an npx wrapper), so SIGKILL hits the process.
  const child = children.track(
    spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: appDir,
      env: { ...process.env, ...vars, TRENDING_ROLE: role },
      stdio: ["ignore", "ignore", "pipe"],
    }),
  );
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[trending ${role}] ${d.toString()}`));
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function mergeState(groupId: string): Promise<{ applied: number; state: MergeStateJson } | undefined> {
  const [row] = await conn.db
    .select({ applied: trendingMergeState.applied, state: trendingMergeState.state })
    .from(trendingMergeState)
    .where(eq(trendingMergeState.groupId, `${groupId}-merge`));
  if (!row) return undefined;
  const applied = Object.values(row.applied).reduce((a, b) => a + b, 0);
  return { applied, state: (row.state as { merge: MergeStateJson }).merge };
}

async function produce(bus: Bus, topic: string, records: { key: string; value: unknown }[]): Promise<void> {
  const producer = await bus.producer();
  await producer.send([
    { topic, records: records.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })) },
  ]);
  await producer.disconnect();
}

describe("the trending stage killed mid-stream", () => {
  it(
    "ends with exactly the platform's counts, intensity and live surges: no gap, no double count",
    { timeout: 6 * 60_000 },
    async () => {
      const id = randomUUID().slice(0, 8);
      const groupId = `it-trending-${id}`;
      const vars = {
        KAFKA_BROKERS: infra.brokers.join(","),
        DATABASE_URL: infra.databaseUrl,
        KAFKA_PARTITIONS: "3",
        KAFKA_TOPIC_PREFIX: `it-${id}.`,
        TRENDING_GROUP_ID: groupId,
        TRENDING_SESSION_TIMEOUT_MS: "6000",
        TRENDING_BOARD_INTERVAL_MS: "200",
        METRICS_PORT: "0",
        LOG_LEVEL: "warn",
      };
      const bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "trending-it" }), {
        partitions: 3,
        topicPrefix: vars.KAFKA_TOPIC_PREFIX,
      });
      await bus.ensureTopics();
      const start = Date.UTC(2004, 0, 1) + Math.floor(Math.random() * 5_000_000) * 60_000;
      const streamers = Array.from({ length: 12 }, (_, i) => `tr-${id}-${i}`);
      const platform = syntheticPlatform({
        streamers,
        start,
        minutes: 4,
        updates: 6,
        surging: 6,
        ended: 2,
        seed: 7,
      });

      // Two processes share the partial step (several "workers"), one merges.
      const partialsA = spawnTrending(vars, "partials");
      spawnTrending(vars, "partials");
      let merge = spawnTrending(vars, "merge");

      const chunks = 8;
      const per = Math.ceil(platform.stats.length / chunks);
      const kills = [2, 5];
      for (let c = 0; c < chunks; c++) {
        await produce(
          bus,
          bus.topics.stats,
          platform.stats.slice(c * per, (c + 1) * per).map((s) => ({ key: s.streamerId, value: s })),
        );
        if (c === 1) {
          await produce(
            bus,
            bus.topics.aggregated,
            platform.moments.map((m) => ({ key: m.streamerId, value: [m] })),
          );
        }
        if (kills.includes(c)) {
          // Kill the merge once it has applied something of this life, then start another.
          const before = (await mergeState(groupId))?.applied ?? 0;
          await waitFor(
            "the merge to apply partials",
            async () => ((await mergeState(groupId))?.applied ?? 0) > before,
            90_000,
          );
          await killed(merge);
          merge = spawnTrending(vars, "merge");
        }
        if (c === 3) {
          // And one of the partial-step processes: its partitions move to the other.
          await killed(partialsA);
        }
      }

      const exact = [...platform.expectedMinutes].map(([minute, counts]) => [
        minute,
        [...counts].sort(([a], [b]) => (a < b ? -1 : 1)),
      ]);
      const merged = async () => {
        const s = await mergeState(groupId);
        return (s?.state.minutes ?? []).map(([minute, , summary]) => [
          minute,
          summary
            .filter(([, n]) => n !== 0)
            .map(([e, n]) => [e, n])
            .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
        ]);
      };
      await waitFor(
        "the merged minutes to equal the platform's counts",
        async () => JSON.stringify(await merged()) === JSON.stringify(exact),
        120_000,
        250,
      ).catch(async (err: unknown) => {
        expect(await merged()).toEqual(exact);
        throw err;
      });
      const final = await mergeState(groupId);
      expect(
        final?.state.minutes.map(([, , summary]) => summary.every(([, , error]) => error === 0)),
      ).not.toContain(false);
      expect(final?.state.surges.map((s) => s.momentId).sort()).toEqual(platform.expectedLive);
      const [intensity] = await conn.db
        .select({ emotes: sql<number>`coalesce(sum(${trendingIntensity.emotes}), 0)::int` })
        .from(trendingIntensity)
        .where(eq(trendingIntensity.groupId, `${groupId}-merge`));
      expect(intensity?.emotes).toBe(platform.expectedEmotes);
      // Distinct viewers per 10 s, platform-wide: the 50 viewers shared by the 12 streams count
      // once (62 in a minute's first bucket, not 12 × 51 = 612), within the sketch's error.
      const viewers = await conn.db
        .select({ bucketStart: trendingIntensity.bucketStart, viewers: trendingIntensity.viewers })
        .from(trendingIntensity)
        .where(and(eq(trendingIntensity.groupId, `${groupId}-merge`), isNotNull(trendingIntensity.viewers)))
        .orderBy(trendingIntensity.bucketStart);
      expect(viewers.map((v) => v.bucketStart.getTime())).toEqual([...platform.expectedViewers.keys()]);
      for (const v of viewers) {
        const expected = platform.expectedViewers.get(v.bucketStart.getTime()) ?? 0;
        expect(
          Math.abs((v.viewers ?? 0) - expected),
          `bucket ${v.bucketStart.toISOString()}`,
        ).toBeLessThanOrEqual(Math.ceil(expected * 0.05));
      }
    },
  );
});
