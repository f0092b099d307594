import { authEnvSchema, databaseEnvSchema, logEnvSchema, parseEnv } from "@emote/config";
import { z } from "zod";

export const webEnvSchema = databaseEnvSchema
  .extend(logEnvSchema.shape)
  .extend(authEnvSchema.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** 127.0.0.1 by default; containers set 0.0.0.0 to be reachable through a published port. */
    HOST: z.string().min(1).default("127.0.0.1"),
  });
export type WebEnv = z.infer<typeof webEnvSchema>;

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  return parseEnv(webEnvSchema, source);
}
