import { describeDatabaseUrl } from "@emote/config";
import { env } from "./env.ts";
import { MIGRATE_HELP, migrateDatabase } from "./migrate.ts";

if (process.argv.includes("--help")) {
  console.log(MIGRATE_HELP);
  process.exit(0);
}

try {
  await migrateDatabase(env.DATABASE_URL);
  console.log(`Migrated ${describeDatabaseUrl(env.DATABASE_URL)}.`);
} catch (err) {
  console.error(
    `db:migrate failed on ${describeDatabaseUrl(env.DATABASE_URL)}: ${(err as Error).message}\n` +
      "Is PostgreSQL running and does the database exist? `npm run infra:up` creates it.",
  );
  process.exit(1);
}
