import { fileURLToPath } from "node:url";
import { describeConfigurationDocs } from "@emote/infra/config-docs";
import { serviceEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the generator",
  variables: Object.keys(serviceEnvSchema.shape),
  schemaFile: "apps/generator/src/env.ts",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/main.ts",
  helpFile: "apps/generator/src/options.ts (helpText)",
});
