import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { databaseEnvSchema, envHelp } from "@emote/config";
import postgres from "postgres";
import { CASING } from "./casing.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/** Arbitrary constant: serialises migrations when several processes start at once. */
const MIGRATION_LOCK_KEY = 7_246_001;

/** Applies the committed migrations; safe to run concurrently from several processes. */
export async function migrateDatabase(url: string): Promise<void> {
  // One connection, so the advisory lock and the migration share a session.
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => undefined });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migrate(drizzle({ client: sql, casing: CASING }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** What `npm run db:migrate -- --help` prints; the environment section comes from the schema. */
export const MIGRATE_HELP = `Usage: npm run db:migrate

Applies the committed migrations to DATABASE_URL.

${envHelp(databaseEnvSchema)}`;
