import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, momentKind, type Moment } from "@emote/contracts";
import {
  and,
  connectDatabase,
  consumerCheckpoints,
  eq,
  gte,
  inArray,
  moments,
  rowToMoment,
  sql,
} from "@emote/db";
import { generateEmotes } from "@emote/generator/stream";
import { childProcesses } from "@emote/testkit";
import { readWorkerEnv } from "../../src/env.ts";
import {
  busFor,
  byId,
  collect,
  expectedMoments,
  expectedSurges,
  infra,
  isolatedVars,
  produceRaw,
  surgesById,
  waitFor,
  type RawMessage,
} from "../harness.ts";

const workerDir = fileURLToPath(new URL("../..", import.meta.url));
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
afterAll(() => conn.close());
// Killed even when the test times out (its own kills are then never reached).
const children = childProcesses();
afterEach(() => children.killAll());

function spawnWorker(vars: Record<string, string>): ChildProcess {
  // node itself (not an npx wrapper), so SIGKILL hits the worker.
  const child = children.track(
    spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: workerDir,
      env: { ...process.env, ...vars },
      // stdout unread would fill its pipe and block the worker's logging: not kept.
      stdio: ["ignore", "ignore", "pipe"],
    }),
  );
  child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[worker stderr] ${d.toString()}`));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

async function appliedOffsets(groupId: string): Promise<number> {
  const [row] = await conn.db
    .select({ total: sql<string>`coalesce(sum(${consumerCheckpoints.nextOffset}), 0)` })
    .from(consumerCheckpoints)
    .where(eq(consumerCheckpoints.groupId, groupId));
  return Number(row?.total ?? 0);
}

/** The sum of the test's bounded waits: on a loaded machine each life is slow, not stuck. */
const CRASH_TEST_TIMEOUT_MS = 8 * 60_000;

describe("a worker killed with SIGKILL mid-stream", () => {
  it(
    "loses no emote and stores no moment twice across several kills and restarts, surges included",
    { timeout: CRASH_TEST_TIMEOUT_MS },
    async () => {
      const vars = isolatedVars({ WORKER_SESSION_TIMEOUT_MS: "6000", KAFKA_PARTITIONS: "3" });
      const env = readWorkerEnv(vars);
      const bus = busFor(env);
      await bus.ensureTopics();
      const start = Date.UTC(2003, 0, 1) + Math.floor(Math.random() * 5_000_000) * 60_000;
      const streamers = Array.from({ length: 6 }, (_, i) => `crash-${env.WORKER_GROUP_ID.slice(-8)}-${i}`);
      const sent: RawMessage[] = [...generateEmotes({ seed: 5, streamers: 6, start, count: 9_000 })].map(
        (m) => ({
          ...m,
          streamerId: streamers[Number(m.streamerId.slice(1)) - 1] as string,
        }),
      );

      // Feed the topic steadily while the worker is killed and restarted underneath. The
      // feed may run ahead only so far: each life releases 3 more chunks as it starts (so it
      // finds work however slow the machine), the kills release the last 3 (so every kill
      // lands mid-stream). Each life first waits out the killed member's session (6 s).
      const kills = 3;
      const chunks = Array.from({ length: 60 }, (_, i) => sent.slice(i * 150, (i + 1) * 150));
      let allowed = chunks.length - 3 * (kills + 1);
      let released: (() => void) | undefined;
      const release = () => {
        allowed += 3;
        released?.();
      };
      const feeding = (async () => {
        for (const [i, chunk] of chunks.entries()) {
          while (i >= allowed) await new Promise<void>((r) => (released = r));
          await produceRaw(bus, chunk);
          await new Promise((r) => setTimeout(r, 500));
        }
      })();

      for (let i = 0; i < kills; i++) {
        const before = await appliedOffsets(env.WORKER_GROUP_ID);
        const child = spawnWorker(vars);
        release();
        await waitFor(
          `life ${i + 1} to make progress`,
          async () => (await appliedOffsets(env.WORKER_GROUP_ID)) > before,
          90_000,
        );
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
        child.kill("SIGKILL");
        expect((await exited(child)).signal).toBe("SIGKILL");
      }
      release();
      await feeding;

      const last = spawnWorker(vars);
      await waitFor(
        "the last worker to apply everything",
        async () => (await appliedOffsets(env.WORKER_GROUP_ID)) === sent.length,
        90_000,
      );
      last.kill("SIGTERM");
      expect((await exited(last)).code).toBe(0);

      const expected = byId(expectedMoments(sent, () => DEFAULT_SETTINGS));
      const rows = await conn.db
        .select()
        .from(moments)
        .where(and(inArray(moments.streamerId, streamers), gte(moments.windowStart, new Date(start))));
      expect(byId(rows.map(rowToMoment))).toEqual(expected);
      // The surge detector's state is in the same commits: kills mid-surge (its onsets and
      // ends are spread over the stream) leave the moments of an uninterrupted run, ends included.
      const surges = expectedSurges(sent, DEFAULT_SETTINGS);
      expect(surges.filter((m) => m.surge?.endedAt !== undefined).length).toBeGreaterThan(3);
      expect(surgesById(rows.map(rowToMoment))).toEqual(surges);

      // On the topic a moment may repeat after a crash (same id, same content); clients de-duplicate by id.
      const out = await collect(bus, bus.topics.aggregated);
      const published = () =>
        out.records
          .flatMap((r) => JSON.parse(String(r.value)) as Moment[])
          .filter((m) => momentKind(m) === "threshold");
      await waitFor(
        "the published moments",
        () => new Set(published().map((m) => m.id)).size >= expected.length,
      );
      await out.stop();
      const distinct = new Map(published().map((m) => [m.id, m]));
      expect(byId([...distinct.values()])).toEqual(expected);
      for (const m of published()) expect(m).toEqual(distinct.get(m.id));
    },
  );
});
