import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { HELP, workerEnvSchema } from "./env.ts";

describeConfigurationDocs({
  who: "the worker",
  variables: Object.keys(workerEnvSchema.shape),
  schemaFile: "apps/worker/src/env.ts",
  help: HELP,
  helpFile: "apps/worker/src/env.ts (HELP)",
});
