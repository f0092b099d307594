import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AUTH_SECRET_FILE,
  isLoopbackHost,
  readAuthSecretFile,
  requireAuthSecret,
  type AuthEnv,
} from "@emote/config";

/**
 * The embedded mode's token secret. AUTH_SECRET when set (the web server's rules apply);
 * unset on loopback, a random one made on first start and kept in the data directory
 * (readable by its owner only), so printed tokens survive restarts and nobody shares it.
 * Off loopback it must be set: a secret on disk is not something to rotate across hosts.
 */
export async function pulseAuthSecret(
  env: Pick<AuthEnv, "AUTH_SECRET" | "NODE_ENV">,
  host: string,
  dataDir: string,
): Promise<{ secret: string; file?: string }> {
  if (env.AUTH_SECRET !== undefined || !isLoopbackHost(host)) return { secret: requireAuthSecret(env, host) };
  const file = join(dataDir, AUTH_SECRET_FILE);
  const existing = await readAuthSecretFile(file);
  if (existing !== undefined) return { secret: existing, file };
  await mkdir(dataDir, { recursive: true });
  const made = randomBytes(48).toString("base64url");
  try {
    await writeFile(file, `${made}\n`, { mode: 0o600, flag: "wx" });
    return { secret: made, file };
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { secret: (await readAuthSecretFile(file)) as string, file };
  }
}
