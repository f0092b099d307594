import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROLES, signToken, type Role } from "@emote/api";

/** The file in PULSE_DATA_DIR with the tokens of the last start, one `role token` a line. */
export const TOKENS_FILE = "tokens";

export interface DevToken {
  role: Role;
  token: string;
}

/** One token per role (the streamer's for streamer "default"), valid 12 h. */
export function signDevTokens(secret: string): Promise<DevToken[]> {
  return Promise.all(
    ROLES.map(async (role) => {
      const claims = role === "streamer" ? { role, streamerId: "default", sub: role } : { role, sub: role };
      return { role, token: await signToken(claims, secret) };
    }),
  );
}

/**
 * Writes the tokens to PULSE_DATA_DIR/tokens, readable by its owner only (like the secret
 * beside it), so a start whose output goes to a file or a log collector still hands them
 * to the person who ran it without printing them there. Returns the file's path.
 */
export async function writeDevTokens(dataDir: string, tokens: readonly DevToken[]): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, TOKENS_FILE);
  await writeFile(file, tokens.map((t) => `${t.role} ${t.token}\n`).join(""), { mode: 0o600 });
  // The mode above applies only to a new file.
  await chmod(file, 0o600);
  return file;
}
