import { fileURLToPath } from "node:url";
import { describeConfigurationDocs } from "@emote/infra/config-docs";
import { databaseEnvSchema } from "@emote/config";

describeConfigurationDocs({
  who: "db:migrate",
  variables: Object.keys(databaseEnvSchema.shape),
  schemaFile: "packages/config/src/index.ts (databaseEnvSchema)",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  entry: "src/migrate-cli.ts",
  helpFile: "packages/db/src/migrate-cli.ts",
});
