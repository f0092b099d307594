import type { AnalysisSettings } from "@emote/contracts";
import type { SettingsSnapshot } from "@emote/db";

/** The settings each streamer's next batch is analysed with; replaced as changes arrive. */
export class SettingsCache {
  constructor(private snapshot: SettingsSnapshot) {}

  for(streamerId: string): AnalysisSettings {
    return this.snapshot.byStreamer.get(streamerId) ?? this.snapshot.defaults;
  }

  replace(snapshot: SettingsSnapshot): void {
    this.snapshot = snapshot;
  }
}
