import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { startTcpProxy, testInfraConfig, waitFor } from "@emote/testkit";
import { connectDatabase, isTransientDatabaseError } from "../src/index.ts";

// A transaction whose connection drops mid-statement: postgres.js 3.4.9 then wrote its
// ROLLBACK to a null socket from a timer and the process died of an uncaught TypeError
// (tooling/patches/postgres+3.4.9.patch). Patched, the transaction rejects with a connection error
// and the pool recovers once the database is back.
const infra = testInfraConfig();
const target = new URL(infra.databaseUrl);
const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
const viaProxy = new URL(infra.databaseUrl);
viaProxy.hostname = "127.0.0.1";
viaProxy.port = String(proxy.port);
const conn = connectDatabase(viaProxy.href, { max: 1 });
// Direct, to see what the server is running for the proxied connection.
const observer = postgres(infra.databaseUrl, { max: 1 });

afterAll(async () => {
  await conn.close();
  await observer.end();
  await proxy.close();
});

async function running(tag: string): Promise<boolean> {
  const rows = await observer`
    select 1 from pg_stat_activity
    where state = 'active' and query like ${`%${tag}%`} and pid <> pg_backend_pid()`;
  return rows.length > 0;
}

describe("a PostgreSQL connection lost inside a transaction", () => {
  it("rejects the transaction with a connection error, and later queries succeed once the database is back", async () => {
    for (let round = 0; round < 3; round++) {
      await expect(conn.db.execute(sql`select 1 as one`)).resolves.toBeDefined();
      const tag = `conn_loss_${randomUUID().replaceAll("-", "")}`;
      const tx = conn.db.transaction(async (t) => {
        await t.execute(sql`select 1`);
        await t.execute(sql.raw(`select pg_sleep(5) as ${tag}`));
      });
      const settled = tx.then(
        () => "committed",
        (err: unknown) => err,
      );
      // Cut while pg_sleep runs inside the transaction: the client waits for its answer.
      await waitFor("the transaction's statement to run", () => running(tag));
      await proxy.cut();
      const outcome = await settled;
      expect(isTransientDatabaseError(outcome)).toBe(true);
      await proxy.restore();
      // At most the first statement after the loss finds the dead connection.
      await waitFor("a query through the restored connection", async () => {
        try {
          await conn.db.execute(sql`select 1`);
          return true;
        } catch (err) {
          if (!isTransientDatabaseError(err)) throw err;
          return false;
        }
      });
    }
  });
});
