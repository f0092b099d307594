import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { HELP, tokenEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the token CLI (npm run token)",
  variables: Object.keys(tokenEnvSchema.shape),
  schemaFile: "packages/api/bin/env.ts",
  help: HELP,
  helpFile: "packages/api/bin/env.ts (HELP)",
});
