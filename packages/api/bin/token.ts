import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { AUTH_SECRET_FILE, isLoopbackHost, readAuthSecretFile } from "@emote/config";
import { claimsSchema, signToken } from "../src/auth/auth.ts";
import { HELP, invokedFrom, readAuthEnv, type TokenEnv } from "./env.ts";

/** One line on stderr, then exit 2. */
function fail(message: string): never {
  console.error(`token: ${message} (npm run token -- --help for usage)`);
  process.exit(2);
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: "string" },
      streamer: { type: "string" },
      subject: { type: "string" },
      expires: { type: "string", default: "12h" },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const claims = claimsSchema.safeParse({
  role: values.role,
  streamerId: values.streamer,
  sub: values.subject ?? values.role,
});
if (!claims.success)
  fail(
    claims.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ` : "") + i.message).join("; "),
  );
const expires = /^(\d+)([smhd])$/.exec(values.expires);
if (!expires) fail("--expires takes a number and a unit s, m, h or d (e.g. 12h)");
let env;
try {
  env = readAuthEnv();
} catch (err) {
  fail((err as Error).message);
}
const lifetime = Number(expires[1]) * UNIT_SECONDS[expires[2] as keyof typeof UNIT_SECONDS];
if (lifetime > env.AUTH_TOKEN_MAX_LIFETIME_SECONDS)
  fail(
    `--expires ${values.expires} is longer than AUTH_TOKEN_MAX_LIFETIME_SECONDS (${env.AUTH_TOKEN_MAX_LIFETIME_SECONDS} s)`,
  );

/**
 * AUTH_SECRET, or on loopback the secret npm start keeps: a freshly made secret would sign
 * tokens no running server accepts.
 */
async function signingSecret(env: TokenEnv): Promise<string> {
  if (env.AUTH_SECRET !== undefined) return env.AUTH_SECRET;
  const file = resolve(invokedFrom(), env.PULSE_DATA_DIR, AUTH_SECRET_FILE);
  if (!isLoopbackHost(env.HOST))
    fail(`AUTH_SECRET is not set: set it to the secret the server on HOST=${env.HOST} uses`);
  const kept = await readAuthSecretFile(file).catch((err: unknown) => fail((err as Error).message));
  if (kept === undefined)
    fail(
      `AUTH_SECRET is not set and ${file} does not exist: start npm start once (it makes that file) or set AUTH_SECRET to the server's secret`,
    );
  console.error(`token: AUTH_SECRET is not set: signed with npm start's secret in ${file}`);
  return kept;
}

console.log(await signToken(claims.data, await signingSecret(env), `${lifetime}s`));
