import { DEFAULT_SETTINGS, type AnalysisSettings } from "@emote/contracts";
import { DEFAULTS_ROW_ID, type SettingsSnapshot } from "@emote/db";

/** The settings each streamer's next batch is analysed with; updated as changes arrive. */
export class SettingsCache {
  constructor(private snapshot: SettingsSnapshot) {}

  for(streamerId: string): AnalysisSettings {
    return this.snapshot.byStreamer.get(streamerId) ?? this.snapshot.defaults;
  }

  /** After a full reload: every streamer's settings. */
  replace(snapshot: SettingsSnapshot): void {
    this.snapshot = snapshot;
  }

  /**
   * After a reload of some streamers (DEFAULTS_ROW_ID: the defaults): `found` holds the
   * rows that exist; a streamer named but not found has no row of its own any more.
   */
  update(streamerIds: Iterable<string>, found: ReadonlyMap<string, AnalysisSettings>): void {
    for (const id of streamerIds) {
      const settings = found.get(id);
      if (id === DEFAULTS_ROW_ID) this.snapshot.defaults = settings ?? DEFAULT_SETTINGS;
      else if (settings) this.snapshot.byStreamer.set(id, settings);
      else this.snapshot.byStreamer.delete(id);
    }
  }
}
