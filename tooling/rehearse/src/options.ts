/** The rehearsal's size and pace. */
export interface RehearsalOptions {
  quick: boolean;
  /**
   * Judge only what must hold on any machine (moments and acknowledged emotes); print the
   * timing targets (refusals, reconnect p99) without judging them. For CI, where other test
   * suites share the cores: timing is the benchmark's job, on a machine of its own.
   */
  correctnessOnly: boolean;
  /** moments.live subscribers, spread over the streamers. */
  subscribers: number;
  /** Viewers sending emotes.send, each `viewerRate` a second. */
  viewers: number;
  viewerRate: number;
  /** Streamers of the generated stream (the moments). */
  streamers: number;
  /** Steady traffic before, between and after the switches, seconds. */
  steadySeconds: number;
}

export class UsageError extends Error {}

export const HELP_OPTIONS = `  --quick            CI's size: 200 subscribers, 20 viewers, short steady phases (about 2 minutes)
  --subscribers N    moments.live subscribers (default 2000; --quick 200)
  --viewers N        viewers sending emotes.send (default 100; --quick 20)
  --viewer-rate R    emotes a second per viewer (default 5)
  --streamers S      streamers of the generated stream (default 8; --quick 4)
  --steady S         seconds of steady traffic between the steps (default 10; --quick 3)
  --correctness-only judge only lost, duplicated and out-of-order moments and lost acknowledged emotes;
                     print refusals and reconnect times without judging them (CI, on shared cores)`;

export function readOptions(argv: readonly string[]): RehearsalOptions {
  const quick = argv.includes("--quick");
  const flags = new Set(["--quick", "--correctness-only"]);
  const known = new Set([...flags, "--subscribers", "--viewers", "--viewer-rate", "--streamers", "--steady"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!known.has(arg)) throw new UsageError(`unknown option ${arg} (see --help)`);
    if (!flags.has(arg)) i++;
  }
  const num = (flag: string, fallback: number, min: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} wants an integer ≥ ${min}`);
    return n;
  };
  return {
    quick,
    correctnessOnly: argv.includes("--correctness-only"),
    subscribers: num("--subscribers", quick ? 200 : 2_000, 1),
    viewers: num("--viewers", quick ? 20 : 100, 1),
    viewerRate: num("--viewer-rate", 5, 1),
    streamers: num("--streamers", quick ? 4 : 8, 1),
    steadySeconds: num("--steady", quick ? 3 : 10, 1),
  };
}
