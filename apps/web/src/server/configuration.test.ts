import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { HELP, webEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the web server",
  variables: Object.keys(webEnvSchema.shape),
  schemaFile: "apps/web/src/server/env.ts",
  help: HELP,
  helpFile: "apps/web/src/server/env.ts (HELP)",
});
