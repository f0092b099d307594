import type { AllowedEmotes as Allowed } from "@emote/api";

/** Streamers whose allowed emotes are remembered at most. */
const MAX_STREAMERS = 10_000;

interface Entry {
  /** Null: no such streamer (remembered too, so made-up ids cost one query per period each). */
  emotes: Allowed;
  /** When this entry is to be read again (epoch ms). */
  freshUntil: number;
}

/**
 * Each streamer's allowed emotes, or null for a streamer that does not exist, read at most
 * once per `ttlMs` (one query per streamer however many viewers react; concurrent misses
 * share it). A change of the settings, and a streamer just created, apply to reactions
 * within `ttlMs`. While a reload is pending the old answer still holds; a failed first
 * load rejects its callers and is retried at the next call.
 */
export class AllowedEmotes {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Allowed>>();

  constructor(
    private readonly load: (streamerId: string) => Promise<Allowed>,
    private readonly ttlMs: number,
  ) {}

  of(streamerId: string): Allowed | Promise<Allowed> {
    const entry = this.entries.get(streamerId);
    if (entry && entry.freshUntil > Date.now()) return entry.emotes;
    const reload = this.reload(streamerId);
    return entry ? entry.emotes : reload;
  }

  private reload(streamerId: string): Promise<Allowed> {
    let pending = this.loading.get(streamerId);
    if (!pending) {
      pending = this.load(streamerId).then(
        (emotes) => {
          this.loading.delete(streamerId);
          if (this.entries.size >= MAX_STREAMERS && !this.entries.has(streamerId)) this.entries.clear();
          this.entries.set(streamerId, { emotes, freshUntil: Date.now() + this.ttlMs });
          return emotes;
        },
        (err: unknown) => {
          this.loading.delete(streamerId);
          throw err;
        },
      );
      this.loading.set(streamerId, pending);
      // A stale entry answers meanwhile: its reload failing is not its callers' error.
      if (this.entries.has(streamerId)) pending.catch(() => undefined);
    }
    return pending;
  }
}
