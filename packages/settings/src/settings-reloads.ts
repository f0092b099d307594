import type { AnalysisSettings } from "@emote/contracts";
import type { SettingsSnapshot } from "@emote/db";
import type { SettingsCache } from "./settings-cache.ts";

/** Where reloads read from: every row, or the rows of some streamers in one query. */
export interface SettingsSource {
  all(): Promise<SettingsSnapshot>;
  streamers(ids: readonly string[]): Promise<Map<string, AnalysisSettings>>;
}

export type ReloadScope = "full" | "streamers";

export interface ReloadOptions {
  /** How long the first change of a burst waits for the others, so they share one query. */
  coalesceMs: number;
  /** After a failed reload, when to try again (the changes it covered are kept). */
  retryMs: number;
  /** More streamers than this in one reload: one full reload instead of a long id list. */
  maxStreamers: number;
}

export const DEFAULT_RELOAD_OPTIONS: ReloadOptions = { coalesceMs: 20, retryMs: 1_000, maxStreamers: 500 };

/**
 * Brings the cache up to date with the changes it is told of, a burst at a time: the
 * streamers named during the wait (and during a reload in flight) are reloaded together in
 * one query; a full reload covers everything asked before it. One reload runs at a time,
 * so a later reload never lands before an earlier one.
 */
export class SettingsReloader {
  private full = false;
  private readonly streamers = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly source: SettingsSource,
    private readonly cache: SettingsCache,
    private readonly on: { reloaded(scope: ReloadScope, streamers: number): void; failed(err: Error): void },
    private readonly opts: ReloadOptions = DEFAULT_RELOAD_OPTIONS,
  ) {}

  /** A streamer's settings (DEFAULTS_ROW_ID: the defaults) changed. */
  streamerChanged(streamerId: string): void {
    this.want([streamerId]);
    this.schedule(this.opts.coalesceMs);
  }

  /** Anything may have changed (a reconnection, a truncate). */
  everythingChanged(): void {
    this.full = true;
    this.streamers.clear();
    this.schedule(this.opts.coalesceMs);
  }

  /** Stops scheduling; resolves once a reload in flight is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Resolves when nothing is scheduled or in flight (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.timer || this.running) {
      await (this.running ?? new Promise((resolve) => setTimeout(resolve, this.opts.coalesceMs)));
    }
  }

  private want(streamerIds: readonly string[]): void {
    if (this.full) return;
    for (const id of streamerIds) this.streamers.add(id);
    if (this.streamers.size > this.opts.maxStreamers) {
      this.full = true;
      this.streamers.clear();
    }
  }

  private schedule(delayMs: number): void {
    // A reload in flight picks up what arrives meanwhile when it is done.
    if (this.stopped || this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.reload().then((failed) => {
        this.running = undefined;
        // Try again later, not in a tight loop while the database is away.
        if (failed) this.schedule(this.opts.retryMs);
        // What arrived during the reload waits one window too, so a long burst costs at
        // most one query per window, not one per reload's duration.
        else if (this.full || this.streamers.size > 0) this.schedule(this.opts.coalesceMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** Reloads what is asked now; true when the reload failed (its changes kept). */
  private async reload(): Promise<boolean> {
    if (this.stopped || (!this.full && this.streamers.size === 0)) return false;
    const full = this.full;
    const ids = [...this.streamers];
    this.full = false;
    this.streamers.clear();
    try {
      if (full) {
        this.cache.replace(await this.source.all());
        this.on.reloaded("full", 0);
      } else {
        this.cache.update(ids, await this.source.streamers(ids));
        this.on.reloaded("streamers", ids.length);
      }
      return false;
    } catch (err) {
      this.on.failed(err as Error);
      if (full) {
        this.full = true;
        this.streamers.clear();
      } else this.want(ids);
      return true;
    }
  }
}
