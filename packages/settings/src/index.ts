export { SettingsCache } from "./settings-cache.ts";
export { followSettings } from "./settings-follower.ts";
export {
  DEFAULT_RELOAD_OPTIONS,
  SettingsReloader,
  type ReloadOptions,
  type ReloadScope,
  type SettingsSource,
} from "./settings-reloads.ts";
export { followStreamers, type KnownStreamers } from "./streamer-follower.ts";
