import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { ConfigError, DEV_AUTH_SECRET, type AuthEnv } from "./index.ts";

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
