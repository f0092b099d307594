/** A setting that is missing or invalid; its message is one readable line per setting. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
