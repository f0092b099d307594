/** The rehearsal's size and pace. */
export interface RehearsalOptions {
  quick: boolean;
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
  --steady S         seconds of steady traffic between the steps (default 10; --quick 3)`;

export function readOptions(argv: readonly string[]): RehearsalOptions {
  const quick = argv.includes("--quick");
  const known = new Set([
    "--quick",
    "--subscribers",
    "--viewers",
    "--viewer-rate",
    "--streamers",
    "--steady",
  ]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!known.has(arg)) throw new UsageError(`unknown option ${arg} (see --help)`);
    if (arg !== "--quick") i++;
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
    subscribers: num("--subscribers", quick ? 200 : 2_000, 1),
    viewers: num("--viewers", quick ? 20 : 100, 1),
    viewerRate: num("--viewer-rate", 5, 1),
    streamers: num("--streamers", quick ? 4 : 8, 1),
    steadySeconds: num("--steady", quick ? 3 : 10, 1),
  };
}
