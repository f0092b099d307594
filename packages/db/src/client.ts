import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.ts";

/** The database handle repositories take: any Drizzle Postgres driver with our schema. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseConnection {
  db: Database;
  /** The raw postgres.js client, for LISTEN/NOTIFY. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** Must match drizzle.config.ts so generated SQL and queries agree on column names. */
export const CASING = "snake_case" as const;

export function connectDatabase(url: string, opts: { max?: number } = {}): DatabaseConnection {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: 10,
    onnotice: () => undefined,
  });
  const db = drizzle({ client: sql, schema, casing: CASING });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
