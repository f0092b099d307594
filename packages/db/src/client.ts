import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { describeDatabaseUrl } from "@emote/config";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { CASING } from "./casing.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "./migrate.ts";
import * as schema from "./schema.ts";

/** The database handle repositories take: any Drizzle Postgres driver with our schema. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseConnection {
  db: Database;
  /** Where it points, without credentials, for logs. */
  description: string;
  /**
   * LISTEN on a channel. `onListen` runs each time listening (re)starts, so a caller can
   * catch up on what it may have missed while disconnected.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen?: () => void,
  ): Promise<{ unlisten(): Promise<void> }>;
  /** Applies the committed migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** A PostgreSQL server through postgres.js. */
export function connectDatabase(url: string, opts: { max?: number } = {}): DatabaseConnection {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: 10,
    // Seconds before reconnecting after the n-th failure in a row. The driver's default
    // grows to 20 s, so a database back after an outage would wait that long to be used.
    backoff: (failures: number) => Math.min(0.1 * 2 ** failures, 2),
    onnotice: () => undefined,
  });
  return {
    db: drizzlePostgres({ client: sql, schema, casing: CASING }),
    description: describeDatabaseUrl(url),
    async listen(channel, onNotify, onListen) {
      const listening = await sql.listen(channel, (payload) => onNotify(payload), onListen);
      return { unlisten: () => listening.unlisten() };
    },
    migrate: () => migrateDatabase(url),
    close: () => sql.end({ timeout: 5 }),
  };
}

/** An embedded PostgreSQL (PGlite) keeping its data in `dataDir`: nothing to install. */
export async function openEmbeddedDatabase(dataDir: string): Promise<DatabaseConnection> {
  mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir);
  const db = drizzlePglite({ client: pg, schema, casing: CASING });
  return {
    db,
    description: `embedded PostgreSQL in ${dataDir}`,
    async listen(channel, onNotify, onListen) {
      const unlisten = await pg.listen(channel, onNotify);
      onListen?.();
      return { unlisten };
    },
    // One process owns the data folder, so no lock is needed.
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => pg.close(),
  };
}

/** PostgreSQL when a URL is configured, else the embedded database in `dataDir`. */
export async function openDatabase(opts: {
  url?: string | undefined;
  dataDir: string;
}): Promise<DatabaseConnection> {
  return opts.url ? connectDatabase(opts.url) : openEmbeddedDatabase(opts.dataDir);
}
