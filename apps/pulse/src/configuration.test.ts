import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { HELP, pulseEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the embedded mode (npm start)",
  variables: Object.keys(pulseEnvSchema.shape),
  schemaFile: "apps/pulse/src/env.ts (and the web server's webServerEnvSchema)",
  help: HELP,
  helpFile: "apps/pulse/src/env.ts (HELP)",
});
