import { randomUUID } from "node:crypto";
import type { Bus } from "@emote/bus";
import { eq, sql, trendingIntensity, trendingMergeState, type DatabaseConnection } from "@emote/db";
import { syntheticPlatform } from "@emote/trending/synthetic";
import { waitFor } from "@emote/testkit";
import { spawnService, stopAll, type ServiceProcess } from "./fleet.ts";
import { runBus, type RunIds } from "./scenario.ts";
import type { Verdict } from "./verdict.ts";

const PARTITIONS = 6;

export interface TrendingOutcome {
  emotes: number;
  verdicts: Verdict[];
  failovers: string[];
}

type Summary = [string, number, number][];

async function merged(conn: DatabaseConnection, groupId: string) {
  const [row] = await conn.db
    .select({ state: trendingMergeState.state })
    .from(trendingMergeState)
    .where(eq(trendingMergeState.groupId, `${groupId}-merge`));
  const state = row?.state as
    { merge: { minutes: [number, number, Summary][]; surges: { momentId: string }[] } } | undefined;
  const [intensity] = await conn.db
    .select({ emotes: sql<number>`coalesce(sum(${trendingIntensity.emotes}), 0)::int` })
    .from(trendingIntensity)
    .where(eq(trendingIntensity.groupId, `${groupId}-merge`));
  return {
    minutes: new Map(
      (state?.merge.minutes ?? []).map(([m, , summary]) => [m, new Map(summary.map(([e, n]) => [e, n]))]),
    ),
    surges: (state?.merge.surges ?? []).map((s) => s.momentId).sort(),
    intensity: Number(intensity?.emotes ?? 0),
  };
}

/**
 * The trending stage under kills (decision 014): two partial-step processes and a merge
 * on a private run's topics, fed the worker's contract output (window stats, replays
 * included, and surge moments); the merge is SIGKILLed twice and a partial-step process
 * once mid-stream. Lost and duplicated are counted emote by emote against the input's
 * exact platform counts, and on the 10 s intensity total; surges by id.
 */
export async function trendingPhase(
  brokers: string[],
  conn: DatabaseConnection,
  databaseUrl: string,
  seed: number,
  log: (line: string) => void,
): Promise<TrendingOutcome> {
  const id = randomUUID().slice(0, 8);
  const ids: RunIds = { id, topicPrefix: `chaos-tr-${id}.`, groupId: `chaos-trending-${id}`, streamers: [] };
  const vars = {
    KAFKA_BROKERS: brokers.join(","),
    DATABASE_URL: databaseUrl,
    KAFKA_PARTITIONS: String(PARTITIONS),
    KAFKA_TOPIC_PREFIX: ids.topicPrefix,
    TRENDING_GROUP_ID: ids.groupId,
    TRENDING_SESSION_TIMEOUT_MS: "6000",
    TRENDING_BOARD_INTERVAL_MS: "200",
  };
  const services: ServiceProcess[] = [];
  const start = (role: string, name: string) => {
    const s = spawnService("trending", name, { ...vars, TRENDING_ROLE: role });
    services.push(s);
    return s;
  };
  const failovers: string[] = [];
  try {
    const bus: Bus = runBus(ids, brokers, PARTITIONS);
    await bus.ensureTopics();
    const streamers = Array.from({ length: 40 }, (_, i) => `chaos-tr-${id}-${i}`);
    const platform = syntheticPlatform({
      streamers,
      start: Date.UTC(2012, 0, 1) + Math.floor(Math.random() * 4_000_000) * 60_000,
      minutes: 5,
      updates: 8,
      surging: 12,
      ended: 5,
      seed,
    });
    const partialsA = start("partials", "trending-partials-1");
    const partialsB = start("partials", "trending-partials-2");
    let merge = start("merge", "trending-merge-1");
    await Promise.all([partialsA, partialsB, merge].map((s) => s.logged("trending consuming")));
    log(`trending: 2 partial-step processes and a merge; ${platform.stats.length} window stats, feeding`);
    const producer = await bus.producer();
    const chunks = 10;
    const per = Math.ceil(platform.stats.length / chunks);
    let lives = 1;
    for (let c = 0; c < chunks; c++) {
      await producer.send([
        {
          topic: bus.topics.stats,
          records: platform.stats
            .slice(c * per, (c + 1) * per)
            .map((s) => ({ key: s.streamerId, value: JSON.stringify(s) })),
        },
      ]);
      if (c === 2) {
        await producer.send([
          {
            topic: bus.topics.aggregated,
            records: platform.moments.map((m) => ({ key: m.streamerId, value: JSON.stringify([m]) })),
          },
        ]);
      }
      if (c === 3 || c === 6) {
        const at = Date.now();
        merge.kill("SIGKILL");
        await merge.exited;
        merge = start("merge", `trending-merge-${++lives}`);
        await merge.logged("trending consuming");
        failovers.push(`trending merge SIGKILL: replaced in ${Date.now() - at} ms`);
        log(`trending: merge SIGKILLed mid-stream and replaced`);
      }
      if (c === 4) {
        partialsA.kill("SIGKILL");
        await partialsA.exited;
        log("trending: a partial-step process SIGKILLed mid-stream");
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await producer.disconnect();
    const expectedTotal = [...platform.expectedMinutes.values()].reduce(
      (sum, m) => sum + [...m.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const compare = async () => {
      const got = await merged(conn, ids.groupId);
      let lost = 0;
      let duplicated = 0;
      let unexpected = 0;
      let total = 0;
      for (const [minute, counts] of platform.expectedMinutes) {
        const have = got.minutes.get(minute) ?? new Map<string, number>();
        for (const [emote, n] of counts) {
          const h = have.get(emote) ?? 0;
          lost += Math.max(0, n - h);
          duplicated += Math.max(0, h - n);
        }
        for (const [emote, h] of have) if (!counts.has(emote) && h > 0) unexpected += h;
      }
      for (const m of got.minutes.values()) for (const n of m.values()) total += n;
      return { got, lost, duplicated, unexpected, total };
    };
    let result = await compare();
    await waitFor(
      "the merge to reach the input's counts",
      async () => {
        result = await compare();
        return (
          result.lost === 0 && result.duplicated === 0 && result.got.intensity === platform.expectedEmotes
        );
      },
      120_000,
      500,
    ).catch(() => undefined);
    const liveLost = platform.expectedLive.filter((s) => !result.got.surges.includes(s)).length;
    const liveExtra = result.got.surges.filter((s) => !platform.expectedLive.includes(s)).length;
    return {
      emotes: expectedTotal,
      failovers,
      verdicts: [
        {
          name: "trending: merged emote counts",
          expected: expectedTotal,
          got: result.total,
          lost: result.lost,
          duplicated: result.duplicated,
          unexpected: result.unexpected,
          outOfOrder: 0,
          longestStallMs: 0,
        },
        {
          name: "trending: intensity (emotes per 10 s, summed)",
          expected: platform.expectedEmotes,
          got: result.got.intensity,
          lost: Math.max(0, platform.expectedEmotes - result.got.intensity),
          duplicated: Math.max(0, result.got.intensity - platform.expectedEmotes),
          unexpected: 0,
          outOfOrder: 0,
          longestStallMs: 0,
        },
        {
          name: "trending: live surges",
          expected: platform.expectedLive.length,
          got: result.got.surges.length,
          lost: liveLost,
          duplicated: 0,
          unexpected: liveExtra,
          outOfOrder: 0,
          longestStallMs: 0,
        },
      ],
    };
  } finally {
    await stopAll(services);
  }
}
