import { authEnvSchema, envHelp, parseEnv } from "@emote/config";
import { z } from "zod";
import { ROLES } from "../src/auth/auth.ts";

/** What the token CLI reads: the secret it signs with and the lifetime servers accept. */
export const tokenEnvSchema = authEnvSchema
  .pick({
    AUTH_SECRET: true,
    AUTH_TOKEN_MAX_LIFETIME_SECONDS: true,
  })
  .extend({
    HOST: z
      .string()
      .min(1)
      .default("127.0.0.1")
      .describe("The server's host, as npm start reads it: on loopback, npm start's kept secret may sign."),
    PULSE_DATA_DIR: z
      .string()
      .min(1)
      .default(".data")
      .describe("npm start's data directory, where it keeps its secret when AUTH_SECRET is unset."),
  });

export type TokenEnv = z.infer<typeof tokenEnvSchema>;

/** Only the token CLI reads the environment here; servers pass the secret in. */
export const readAuthEnv = (source: Record<string, string | undefined> = process.env) =>
  parseEnv(tokenEnvSchema, source);

/**
 * Where the user ran npm (npm sets INIT_CWD; `npm run token` runs in packages/api), so a
 * relative PULSE_DATA_DIR means the same directory as for `npm start` run from there.
 */
export const invokedFrom = (source: Record<string, string | undefined> = process.env): string =>
  source.INIT_CWD ?? process.cwd();

/** What --help prints: the environment section comes from the schema's descriptions and defaults. */
export const HELP = `Usage: npm run token -- --role <${ROLES.join("|")}> [--streamer ID] [--subject NAME] [--expires 12h]

Prints a bearer token for the Emote Pulse API, signed with AUTH_SECRET (the one the
server uses). Without AUTH_SECRET, with HOST on loopback (default 127.0.0.1), it signs with
the secret npm start keeps in PULSE_DATA_DIR/auth-secret (default .data/auth-secret,
relative to where npm runs) and says so on stderr; without that file it refuses.
A streamer token must name its --streamer. --subject says who the caller is (rate limits
and the audit log use it; default: the role). --expires is at most
AUTH_TOKEN_MAX_LIFETIME_SECONDS: the server refuses longer-lived tokens.

${envHelp(tokenEnvSchema)}`;
