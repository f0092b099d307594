/**
 * The cost of streams.timeline on a 12 h stream (4,320 buckets of 10 s, 30 surges), called
 * in-process through the router (input checks included), at the dashboard's default 720
 * slots and at every bucket (4,320), beside moments.history's first page (the baseline:
 * the dashboard's other per-stream query) in the same run.
 */
import { parseArgs } from "node:util";
import { connectDatabase, migrateDatabase, streamIntensity, streams, eq } from "@emote/db";
import { insertIntensity, insertStream, storeMoments, surgeMoment } from "@emote/db/test-fixtures";
import { appRouter, createCallerFactory, type LiveSources } from "../src/index.ts";

const HELP = `Usage: npx tsx packages/api/bench/timeline.ts [--rounds 30]
  --rounds   calls of each query measured (after 3 unmeasured)
Uses BENCH_DATABASE_URL, else DATABASE_URL (migrated first). The stream it adds is deleted at the end;
its 30 surge moments stay (a deleted moment would leave a hole in the moment log).
Prints the median and p95 of each query, and the answers' sizes, on stdout.`;

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "30" }, help: { type: "boolean", default: false } },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const rounds = Number(values.rounds);
const url = process.env["BENCH_DATABASE_URL"] ?? process.env["DATABASE_URL"];
if (!url || !Number.isInteger(rounds) || rounds < 1) {
  console.error(HELP);
  process.exit(2);
}
await migrateDatabase(url);
const conn = connectDatabase(url, { max: 4 });
const live: LiveSources = {
  moments: { subscribe: () => () => undefined, nextPosition: () => 1 },
  stats: { subscribe: () => () => undefined, recent: () => [] },
};
const api = createCallerFactory(appRouter)({
  db: conn.db,
  caller: { kind: "anonymous", role: "viewer" },
  live,
  requestId: "bench",
});

const streamerId = `bench-timeline-${Date.now()}`;
const start = Date.UTC(2002, 0, 1);
const id = `${streamerId}:${start}`;
try {
  console.error("bench: writing a 12 h stream…");
  await insertStream(conn.db, {
    id,
    streamerId,
    startedAt: new Date(start),
    lastEmoteAt: new Date(start + 4_319 * 10_000),
    emotes: 0,
  });
  const buckets = Array.from({ length: 4_320 }, (_, i) => ({
    bucketStart: new Date(start + i * 10_000),
    emotes: 50 + (i % 13),
    viewers: 20,
    leading: [
      { emote: "🔥", count: 20 },
      { emote: "😂", count: 15 },
      { emote: "😮", count: 5 },
    ],
  }));
  for (let i = 0; i < buckets.length; i += 1_000) {
    await insertIntensity(conn.db, { id, streamerId }, buckets.slice(i, i + 1_000));
  }
  await storeMoments(
    conn.db,
    Array.from({ length: 30 }, (_, i) =>
      surgeMoment(`${streamerId}-${i}`, streamerId, "😂", {
        startedAt: new Date(start + i * 1_440_000).toISOString(),
        score: i,
      }),
    ),
  );
  const measure = async (name: string, call: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      await call();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
    console.log(`${name.padEnd(46)} median ${at(0.5).padStart(6)} ms   p95 ${at(0.95).padStart(6)} ms`);
  };
  await measure("moments.history (baseline, 50 moments)", () =>
    api.moments.history({ streamerId, limit: 50 }),
  );
  await measure("streams.timeline, 720 slots of 60 s", () => api.streams.timeline({ streamId: id }));
  await measure("streams.timeline, 4,320 slots of 10 s", () =>
    api.streams.timeline({ streamId: id, maxSlots: 4_320 }),
  );
  await measure("streams.compare", () => api.streams.compare({ streamId: id }));
  const bytes = (v: unknown) => `${Math.round(Buffer.byteLength(JSON.stringify(v)) / 1024)} KB`;
  console.log(
    `answer sizes (JSON): 720 slots ${bytes(await api.streams.timeline({ streamId: id }))}, 4,320 slots ${bytes(
      await api.streams.timeline({ streamId: id, maxSlots: 4_320 }),
    )}`,
  );
} finally {
  await conn.db.delete(streamIntensity).where(eq(streamIntensity.streamId, id));
  await conn.db.delete(streams).where(eq(streams.id, id));
  await conn.close();
}
