import { describeConfigurationDocs } from "@emote/testkit/config-docs";
import { databaseEnvSchema } from "@emote/config";
import { MIGRATE_HELP } from "./migrate.ts";

describeConfigurationDocs({
  who: "db:migrate",
  variables: Object.keys(databaseEnvSchema.shape),
  schemaFile: "packages/config/src/index.ts (databaseEnvSchema)",
  help: MIGRATE_HELP,
  helpFile: "packages/db/src/migrate.ts (MIGRATE_HELP)",
});
