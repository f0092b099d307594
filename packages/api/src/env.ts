import { authEnvSchema, envHelp, parseEnv } from "@emote/config";
import { ROLES } from "./auth.ts";

/** What the token CLI reads: the secret it signs with and the lifetime servers accept. */
export const tokenEnvSchema = authEnvSchema.pick({
  AUTH_SECRET: true,
  AUTH_TOKEN_MAX_LIFETIME_SECONDS: true,
});

/** Only the token CLI reads the environment here; servers pass the secret in. */
export const readAuthEnv = (source: Record<string, string | undefined> = process.env) =>
  parseEnv(tokenEnvSchema, source);

/** What --help prints: the environment section comes from the schema's descriptions and defaults. */
export const HELP = `Usage: npm run token -- --role <${ROLES.join("|")}> [--streamer ID] [--subject NAME] [--expires 12h]

Prints a bearer token for the Emote Pulse API, signed with AUTH_SECRET (the one the
server uses; for npm start's embedded mode: AUTH_SECRET=$(cat .data/auth-secret)).
A streamer token must name its --streamer. --subject says who the caller is (rate limits
and the audit log use it; default: the role). --expires is at most
AUTH_TOKEN_MAX_LIFETIME_SECONDS: the server refuses longer-lived tokens.

${envHelp(tokenEnvSchema)}`;
