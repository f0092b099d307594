import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError } from "./config-error.ts";

/** Development only: anyone can mint tokens with it. Refused off loopback and with NODE_ENV=production. */
export const DEV_AUTH_SECRET = "emote-pulse-development-secret-not-for-production";

/** Longest a token may live (exp − iat); the token CLI and the servers share it. */
export const DEFAULT_TOKEN_MAX_LIFETIME_SECONDS = 24 * 3600;

export const authEnvSchema = z.object({
  // No default: requireAuthSecret decides when a server may run without one.
  AUTH_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (make one with: openssl rand -base64 48)")
    .optional()
    .describe(
      "HS256 key of the API's bearer tokens, at least 32 characters (openssl rand -base64 48). " +
        "Required by the web server; `npm start` on loopback makes one in PULSE_DATA_DIR/auth-secret.",
    ),
  AUTH_TOKEN_MAX_LIFETIME_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(DEFAULT_TOKEN_MAX_LIFETIME_SECONDS)
    .describe(
      "Tokens living longer (exp − iat, or exp − now without iat) are refused; at most 7 days (604800).",
    ),
  NODE_ENV: z.string().optional().describe("`production` refuses the development secret even on loopback."),
});
export type AuthEnv = z.infer<typeof authEnvSchema>;

export const AUTH_SECRET_HINT = "make one with `openssl rand -base64 48` and set it in the environment";

/** The file in the embedded mode's data directory (PULSE_DATA_DIR) that keeps its token secret. */
export const AUTH_SECRET_FILE = "auth-secret";

/**
 * The secret kept in `file` (the embedded mode's, made on its first start); undefined when
 * there is no such file. Shared by npm start and npm run token, so both sign alike.
 */
export async function readAuthSecretFile(file: string): Promise<string | undefined> {
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw new ConfigError(`${file} cannot be read: ${err.message}`);
  });
  if (text === undefined) return undefined;
  const secret = text.trim();
  if (secret.length < 32)
    throw new ConfigError(`${file} holds no usable secret (under 32 characters): delete it`);
  return secret;
}

/** Whether a server bound to `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/**
 * The secret a server bound to `host` may sign and verify tokens with. Unset is refused (a
 * silent default would make every deployment share a published key); the development
 * secret only on loopback outside production. Each failure is one line naming the fix.
 */
export function requireAuthSecret(env: Pick<AuthEnv, "AUTH_SECRET" | "NODE_ENV">, host: string): string {
  if (env.AUTH_SECRET === undefined) throw new ConfigError(`AUTH_SECRET is not set: ${AUTH_SECRET_HINT}`);
  if (env.AUTH_SECRET === DEV_AUTH_SECRET) {
    if (env.NODE_ENV === "production")
      throw new ConfigError(
        `AUTH_SECRET is the development secret, refused with NODE_ENV=production: ${AUTH_SECRET_HINT}`,
      );
    if (!isLoopbackHost(host))
      throw new ConfigError(
        `AUTH_SECRET is the development secret, refused on HOST=${host} (only loopback may use it): ${AUTH_SECRET_HINT}`,
      );
  }
  return env.AUTH_SECRET;
}
