import { describeDatabaseUrl } from "@emote/config";
import postgres from "postgres";

export class PostgresUnavailableError extends Error {
  override name = "PostgresUnavailableError";
}

/** Runs `fn` on a one-connection client to the server's `postgres` database. */
async function withServer<T>(url: string, fn: (sql: postgres.Sql, name: string) => Promise<T>): Promise<T> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await sql`select 1`.catch((err: Error) => {
      throw new PostgresUnavailableError(
        `PostgreSQL is not answering at ${describeDatabaseUrl(url)} (${err.message}). ` +
          "Start the server (on Debian: pg_ctlcluster <version> main start) or set DATABASE_URL to a reachable one.",
      );
    });
    return await fn(sql, name);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function databaseExists(url: string): Promise<boolean> {
  return withServer(
    url,
    async (sql, name) => (await sql`select 1 from pg_database where datname = ${name}`).length > 0,
  );
}

/** Creates the database named in `url` when missing; true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  return withServer(url, async (sql, name) => {
    if ((await sql`select 1 from pg_database where datname = ${name}`).length > 0) return false;
    try {
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
      return true;
    } catch (err) {
      // Another process created it between the check and the create.
      if ((err as { code?: string }).code === "42P04") return false;
      throw err;
    }
  });
}

/** Drops the database named in `url`, closing its sessions first (a test's private database). */
export async function dropDatabase(url: string): Promise<void> {
  await withServer(url, async (sql, name) => {
    await sql.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  });
}
