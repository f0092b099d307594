import { parseArgs } from "node:util";
import { AUTH_SECRET_HINT } from "@emote/config";
import { claimsSchema, signToken } from "./auth.ts";
import { HELP, readAuthEnv } from "./env.ts";

function fail(message: string): never {
  console.error(`token: ${message}\n\n${HELP}`);
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
if (env.AUTH_SECRET === undefined) fail(`AUTH_SECRET is not set: ${AUTH_SECRET_HINT}`);
console.log(await signToken(claims.data, env.AUTH_SECRET, `${lifetime}s`));
