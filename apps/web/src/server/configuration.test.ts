import { fileURLToPath } from "node:url";
import { describeConfigurationDocs } from "@emote/infra/config-docs";
import { webEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the web server",
  variables: Object.keys(webEnvSchema.shape),
  schemaFile: "apps/web/src/server/env.ts",
  cwd: fileURLToPath(new URL("../..", import.meta.url)),
  entry: "src/server/main.ts",
  helpFile: "apps/web/src/server/main.ts (HELP)",
});
