import { fileURLToPath } from "node:url";
import { describeConfigurationDocs } from "@emote/infra/config-docs";
import { workerEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the worker",
  variables: Object.keys(workerEnvSchema.shape),
  schemaFile: "apps/worker/src/env.ts",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/main.ts",
  helpFile: "apps/worker/src/main.ts (HELP)",
});
