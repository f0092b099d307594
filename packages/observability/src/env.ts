import type { z } from "zod";
import { logEnvSchema } from "@emote/config";

export type LogEnv = z.infer<typeof logEnvSchema>;

/**
 * The log settings of a process whose environment did not parse, for its last line:
 * LOG_FORMAT when that variable is valid by itself; level info, so the line always shows.
 */
export function readFallbackLogEnv(source: Record<string, string | undefined> = process.env): LogEnv {
  // "" means unset, as in parseEnv.
  const format = logEnvSchema.shape.LOG_FORMAT.safeParse(source.LOG_FORMAT || undefined);
  return { LOG_LEVEL: "info", LOG_FORMAT: format.success ? format.data : undefined };
}
