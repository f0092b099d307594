import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { serviceEnvSchema } from "./env.ts";
import { helpText } from "./options.ts";

describeConfigurationDocs({
  who: "the generator",
  variables: Object.keys(serviceEnvSchema.shape),
  schemaFile: "apps/generator/src/env.ts",
  help: helpText(),
  helpFile: "apps/generator/src/options.ts (helpText)",
});
