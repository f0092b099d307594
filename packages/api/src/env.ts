import { authEnvSchema, parseEnv } from "@emote/config";

/** What the token CLI reads: the secret it signs with and the lifetime servers accept. */
export const tokenEnvSchema = authEnvSchema.pick({
  AUTH_SECRET: true,
  AUTH_TOKEN_MAX_LIFETIME_SECONDS: true,
});

/** Only the token CLI reads the environment here; servers pass the secret in. */
export const readAuthEnv = (source: Record<string, string | undefined> = process.env) =>
  parseEnv(tokenEnvSchema, source);
