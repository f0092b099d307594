import { fileURLToPath } from "node:url";
import { describeConfigurationDocs } from "@emote/infra/config-docs";
import { tokenEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the token CLI (npm run token)",
  variables: Object.keys(tokenEnvSchema.shape),
  schemaFile: "packages/api/src/env.ts",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/token-cli.ts",
  helpFile: "packages/api/src/token-cli.ts (HELP)",
});
