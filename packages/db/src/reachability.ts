import { describeDatabaseUrl } from "@emote/config";
import postgres from "postgres";
import { connectDatabase, type DatabaseConnection } from "./client.ts";

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/**
 * Runs `select 1` on `url`. On failure throws an error naming PostgreSQL, where it was
 * looked for (never the password) and DATABASE_URL, and saying what to do, instead of the
 * driver's bare `connect ECONNREFUSED …`.
 */
export async function assertDatabaseReachable(url: string, timeoutSeconds = 10): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: timeoutSeconds, onnotice: () => undefined });
  try {
    await sql`select 1`;
  } catch (err) {
    throw new DatabaseUnavailableError(
      `PostgreSQL at ${describeDatabaseUrl(url)} (DATABASE_URL)${problem(err)}`,
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The rest of the sentence after "PostgreSQL at … (DATABASE_URL)": what failed, what to do. */
function problem(err: unknown): string {
  if (err instanceof postgres.PostgresError) {
    // 3D000: the server answers, but the database is missing.
    if (err.code === "3D000")
      return `: ${err.message} — create it (\`npm run infra:up\` does), or set DATABASE_URL`;
    return ` refuses the connection: ${err.message} — check the user, password and database in DATABASE_URL`;
  }
  const reason = err instanceof Error ? err.message : String(err);
  return ` does not answer: ${reason} — start it, or set DATABASE_URL to a reachable server`;
}

/**
 * What a deployed process does to reach its database: check it answers (else the readable
 * DatabaseUnavailableError), connect, and apply the migrations; the connection is closed
 * again when they fail.
 */
export async function openMigratedDatabase(url: string): Promise<DatabaseConnection> {
  await assertDatabaseReachable(url);
  const conn = connectDatabase(url);
  try {
    await conn.migrate();
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err;
  }
  return conn;
}
