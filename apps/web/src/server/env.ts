import {
  authEnvSchema,
  databaseEnvSchema,
  gatewayEnvSchema,
  kafkaEnvSchema,
  observabilityEnvSchema,
  parseEnv,
  requireAuthSecret,
} from "@emote/config";
import { z } from "zod";

export const webEnvSchema = kafkaEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(observabilityEnvSchema.shape)
  .extend(authEnvSchema.shape)
  .extend(gatewayEnvSchema.shape)
  .extend({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** 127.0.0.1 by default; containers set 0.0.0.0 to be reachable through a published port. */
    HOST: z.string().min(1).default("127.0.0.1"),
    /**
     * Browser origins allowed to open the WebSocket besides the server's own (comma
     * separated); the default lets the Vite dev server in.
     */
    ALLOWED_ORIGINS: z
      .string()
      .default("http://localhost:5173,http://127.0.0.1:5173")
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      ),
    /** Folder of the built dashboard. */
    WEB_STATIC_DIR: z.string().optional(),
  });
/** The environment, with the secret the server may use (requireAuthSecret's rules). */
export type WebEnv = Omit<z.infer<typeof webEnvSchema>, "AUTH_SECRET"> & { AUTH_SECRET: string };

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const env = parseEnv(webEnvSchema, source);
  return { ...env, AUTH_SECRET: requireAuthSecret(env, env.HOST) };
}
