import { prepareTestInfra } from "@emote/testkit";
import { migrateDatabase } from "../src/migrate.ts";

/** vitest globalSetup for packages whose tests need Kafka and the migrated test database. */
export default async function setup(): Promise<void> {
  const infra = await prepareTestInfra((line) => console.log(`[infra] ${line}`));
  await migrateDatabase(infra.databaseUrl);
}
