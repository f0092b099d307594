import { fileURLToPath } from "node:url";
import { DEV_AUTH_SECRET } from "@emote/config";
import { describeStartFailures } from "@emote/testkit/start-failures";

describeStartFailures({
  who: "the web server",
  service: "emote-web",
  cwd: fileURLToPath(new URL("../..", import.meta.url)),
  entry: "src/server/main.ts",
  portVariable: "PORT",
  required: { AUTH_SECRET: DEV_AUTH_SECRET },
});
