import { describeDatabaseUrl } from "@emote/config";
import { env } from "./env.ts";
import { migrateDatabase } from "./migrate.ts";

if (process.argv.includes("--help")) {
  console.log(
    "Usage: npm run db:migrate\n\nApplies the committed migrations to DATABASE_URL (default postgres://postgres@127.0.0.1:5432/emote).",
  );
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
