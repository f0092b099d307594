import type { EmoteMessage } from "./emote-stream.ts";
import { hashString } from "./prng.ts";

/** A surging streamer's cycle: this long between the starts of its surges (virtual time)… */
export const SURGE_PERIOD_MS = 120_000;
/** …each lasting this long… */
export const SURGE_LENGTH_MS = 20_000;
/** …during which every emote of the stream comes with this many more of the surge's emote. */
export const SURGE_EXTRA = 4;

export interface SurgeOptions {
  /** Share of the streamers (0–1) that surge now and then. */
  share: number;
  seed: number;
  /** The emotes a surge picks one of. */
  emotes: readonly string[];
}

/**
 * Surges across streamers (the Platform page's material): a stable `share` of the streamers,
 * chosen by a hash of their id and the seed, each surge for 20 s of every 2 min of virtual
 * time, at its own phase, on one emote of its own (a different one each surge). During a
 * surge each of the streamer's emotes is followed by 4 more of the surge's emote (same
 * timestamp, ids `<id>-s<k>`), so that emote's rate is about 5 times the stream's.
 * Deterministic: the same stream and options give the same surges.
 */
export function* withSurges(
  stream: Iterable<EmoteMessage>,
  opts: SurgeOptions,
): Generator<EmoteMessage, void, undefined> {
  const seedBasis = (opts.seed ^ 0x5bd1e995) >>> 0;
  const plans = new Map<string, { phase: number } | null>();
  const planOf = (streamerId: string) => {
    let plan = plans.get(streamerId);
    if (plan === undefined) {
      const h = hashString(streamerId, seedBasis);
      plan =
        h / 2 ** 32 < opts.share
          ? { phase: hashString(`${streamerId}/phase`, seedBasis) % SURGE_PERIOD_MS }
          : null;
      plans.set(streamerId, plan);
    }
    return plan;
  };
  for (const m of stream) {
    yield m;
    const plan = planOf(m.streamerId);
    if (!plan) continue;
    const t = Date.parse(m.timestamp) - plan.phase;
    if (((t % SURGE_PERIOD_MS) + SURGE_PERIOD_MS) % SURGE_PERIOD_MS >= SURGE_LENGTH_MS) continue;
    const cycle = Math.floor(t / SURGE_PERIOD_MS);
    const emote =
      opts.emotes[hashString(`${m.streamerId}/${cycle}`, seedBasis) % opts.emotes.length] ?? m.emote;
    for (let k = 1; k <= SURGE_EXTRA; k++) yield { ...m, emote, id: `${m.id}-s${k}` };
  }
}
