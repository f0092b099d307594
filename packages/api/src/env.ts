import { authEnvSchema, parseEnv } from "@emote/config";

/** Only the token CLI reads the environment here; servers pass the secret in. */
export const readAuthEnv = (source: Record<string, string | undefined> = process.env) =>
  parseEnv(authEnvSchema, source);
