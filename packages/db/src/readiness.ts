import { sql } from "drizzle-orm";
import type { DatabaseConnection } from "./client.ts";

/**
 * A readiness check (the shape `Readiness.add` of @emote/observability takes) that passes
 * while the database answers a query. Readiness reports the driver's reason, not
 * Drizzle's "Failed query" wrapper.
 */
export function databaseCheck(conn: DatabaseConnection) {
  return {
    name: "postgresql",
    label: "PostgreSQL",
    check: async () => {
      await conn.db.execute(sql`select 1`);
    },
  };
}
