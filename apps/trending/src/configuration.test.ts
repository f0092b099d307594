import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { HELP, trendingEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the trending stage",
  variables: Object.keys(trendingEnvSchema.shape),
  schemaFile: "apps/trending/src/env.ts",
  help: HELP,
  helpFile: "apps/trending/src/env.ts (HELP)",
});
