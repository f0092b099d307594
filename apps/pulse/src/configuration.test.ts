import { fileURLToPath } from "node:url";
import { describeConfigurationDocs } from "@emote/infra/config-docs";
import { pulseEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the embedded mode (npm start)",
  variables: Object.keys(pulseEnvSchema.shape),
  schemaFile: "apps/pulse/src/env.ts (and the web server's webServerEnvSchema)",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/main.ts",
  helpFile: "apps/pulse/src/main.ts (HELP)",
});
