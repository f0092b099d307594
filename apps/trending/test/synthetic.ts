import { ViewerSketch, type Moment, type WindowStats } from "@emote/contracts";

/**
 * Contract-valid input for the trending stage, as the worker would publish it: window
 * stats (cumulative snapshots per streamer and minute, some sent twice as a replay would)
 * and surge moments (a start, and for some the end: the same id again with endedAt and a
 * higher position). With what the merge must end with, computed the obvious way.
 */
export interface SyntheticPlatform {
  stats: WindowStats[];
  moments: Moment[];
  /** Per minute (epoch ms) the platform-wide count of each emote: every streamer's last snapshot summed. */
  expectedMinutes: Map<number, Map<string, number>>;
  /** Sum of every streamer-minute's last total: what the intensity buckets must add up to. */
  expectedEmotes: number;
  /** Ids of the surges still live at the end. */
  expectedLive: string[];
  /**
   * Per 10 s bucket (epoch ms) the distinct viewers platform-wide: the shared audience
   * (on every stream) and each streamer's own viewer, each once.
   */
  expectedViewers: Map<number, number>;
}

/** Viewers every streamer has (the same people watching many streams) and each one's own viewer. */
const SHARED_VIEWERS = 50;
const OWN_VIEWER_BASE = 1_000_000;

function sketchOf(ids: Iterable<number>): string {
  const s = new ViewerSketch();
  for (const id of ids) s.addHash(id);
  return s.encode();
}

const EMOTES = ["🔥", "😂", "👏", "❤️", "🎉"];

export function syntheticPlatform(opts: {
  streamers: string[];
  /** First minute, epoch ms (a whole UTC minute). */
  start: number;
  minutes: number;
  /** Snapshots per streamer-minute (each a little more than the last). */
  updates: number;
  /** The first `surging` streamers surge; the first `ended` of those surges end. */
  surging: number;
  ended: number;
  seed: number;
}): SyntheticPlatform {
  let x = opts.seed >>> 0 || 1;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const stats: WindowStats[] = [];
  const expectedMinutes = new Map<number, Map<string, number>>();
  const expectedViewers = new Map<number, number>();
  let expectedEmotes = 0;
  for (let m = 0; m < opts.minutes; m++) {
    const minute = opts.start + m * 60_000;
    const platform = new Map<string, number>();
    // Viewers in the minute's first two buckets: the shared audience in the first, each streamer's own in both.
    const buckets = [minute, minute + 10_000];
    expectedViewers.set(buckets[0] ?? minute, SHARED_VIEWERS + opts.streamers.length);
    expectedViewers.set(buckets[1] ?? minute, opts.streamers.length);
    opts.streamers.forEach((streamerId, k) => {
      const finals = Object.fromEntries(EMOTES.map((e) => [e, Math.floor(rand() * 40)]));
      for (let u = 1; u <= opts.updates; u++) {
        const counts = Object.fromEntries(
          Object.entries(finals)
            .map(([e, n]) => [e, Math.floor((n * u) / opts.updates)] as const)
            .filter(([, n]) => n > 0),
        );
        // Cumulative sketches: the union of what a bucket was sent is its viewers.
        const shared = Array.from({ length: Math.ceil((SHARED_VIEWERS * u) / opts.updates) }, (_, j) => j);
        const snapshot: WindowStats = {
          streamerId,
          windowStart: new Date(minute).toISOString(),
          counts,
          total: Object.values(counts).reduce((a, b) => a + b, 0),
          viewers: [
            {
              bucketStart: new Date(minute).toISOString(),
              sketch: sketchOf([...shared, OWN_VIEWER_BASE + k]),
            },
            { bucketStart: new Date(minute + 10_000).toISOString(), sketch: sketchOf([OWN_VIEWER_BASE + k]) },
          ],
        };
        stats.push(snapshot);
        // A replayed snapshot now and then: it must change nothing.
        if (rand() < 0.2) stats.push(snapshot);
      }
      for (const [e, n] of Object.entries(finals)) {
        if (n > 0) platform.set(e, (platform.get(e) ?? 0) + n);
        expectedEmotes += n;
      }
    });
    expectedMinutes.set(minute, platform);
  }
  const moments: Moment[] = [];
  const expectedLive: string[] = [];
  let position = 1;
  opts.streamers.slice(0, opts.surging).forEach((streamerId, i) => {
    const startedAt = new Date(opts.start + 30_000).toISOString();
    const emote = EMOTES[i % EMOTES.length] ?? "🔥";
    const surge = {
      startedAt,
      detectedAt: startedAt,
      peakRate: 12,
      baselineRate: 1,
      score: 3 + (i % 7),
      viewers: 10 + i,
    };
    const base: Moment = {
      id: `surge-${streamerId}-${i}`,
      streamerId,
      emote,
      timestamp: new Date(opts.start).toISOString(),
      count: 30,
      total: 60,
      ratio: 0.5,
      kind: "surge",
      surge,
      position: position++,
    };
    moments.push(base);
    if (i < opts.ended) {
      moments.push({
        ...base,
        position: position++,
        surge: { ...surge, endedAt: new Date(opts.start + 90_000).toISOString() },
      });
    } else {
      expectedLive.push(base.id);
    }
  });
  return {
    stats,
    moments,
    expectedMinutes,
    expectedEmotes,
    expectedLive: expectedLive.sort(),
    expectedViewers,
  };
}
