/** Streamers whose allowed emotes are remembered at most. */
const MAX_STREAMERS = 10_000;

interface Entry {
  emotes: readonly string[];
  /** When this entry is to be read again (epoch ms). */
  freshUntil: number;
}

/**
 * Each streamer's allowed emotes, read from the settings at most once per `ttlMs` (one
 * query per streamer however many viewers react; concurrent misses share it). A change of
 * the settings applies to reactions within `ttlMs`. While a reload is pending the old set
 * still answers; a failed first load rejects its callers and is retried at the next call.
 */
export class AllowedEmotes {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<readonly string[]>>();

  constructor(
    private readonly load: (streamerId: string) => Promise<readonly string[]>,
    private readonly ttlMs: number,
  ) {}

  of(streamerId: string): readonly string[] | Promise<readonly string[]> {
    const entry = this.entries.get(streamerId);
    if (entry && entry.freshUntil > Date.now()) return entry.emotes;
    const reload = this.reload(streamerId);
    return entry ? entry.emotes : reload;
  }

  private reload(streamerId: string): Promise<readonly string[]> {
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
