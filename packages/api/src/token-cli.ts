import { parseArgs } from "node:util";
import { DEV_AUTH_SECRET } from "@emote/config";
import { ROLES, claimsSchema, signToken } from "./auth.ts";
import { readAuthEnv } from "./env.ts";

const HELP = `Usage: npm run token -- --role <${ROLES.join("|")}> [--streamer ID] [--expires 12h]

Prints a bearer token for the Emote Pulse API, signed with AUTH_SECRET
(default: the development secret). A streamer token must name its --streamer.`;

function fail(message: string): never {
  console.error(`token: ${message}\n\n${HELP}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: "string" },
      streamer: { type: "string" },
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
const claims = claimsSchema.safeParse({ role: values.role, streamerId: values.streamer });
if (!claims.success)
  fail(
    claims.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ` : "") + i.message).join("; "),
  );
if (!/^\d+[smhd]$/.test(values.expires)) fail("--expires takes a number and a unit s, m, h or d (e.g. 12h)");
const { AUTH_SECRET } = readAuthEnv();
if (AUTH_SECRET === DEV_AUTH_SECRET)
  console.error("token: signed with the development secret (set AUTH_SECRET in production)");
console.log(await signToken(claims.data, AUTH_SECRET, values.expires));
