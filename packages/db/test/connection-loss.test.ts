import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { startTcpProxy, testInfraConfig, waitFor } from "@emote/infra";
import { connectDatabase, isTransientDatabaseError } from "../src/index.ts";

// A transaction whose connection drops mid-statement: postgres.js 3.4.9 then wrote its
// ROLLBACK to a null socket from a timer and the process died of an uncaught TypeError
// (tooling/patches/apply.mjs). Patched, the transaction rejects with a connection error
// and the pool recovers once the database is back.
const infra = testInfraConfig();
const target = new URL(infra.databaseUrl);
const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
const viaProxy = new URL(infra.databaseUrl);
viaProxy.hostname = "127.0.0.1";
viaProxy.port = String(proxy.port);
const conn = connectDatabase(viaProxy.href, { max: 1 });

afterAll(async () => {
  await conn.close();
  await proxy.close();
});

describe("a PostgreSQL connection lost inside a transaction", () => {
  it("rejects the transaction with a connection error, and later queries succeed once the database is back", async () => {
    for (let round = 0; round < 3; round++) {
      await expect(conn.db.execute(sql`select 1 as one`)).resolves.toBeDefined();
      const tx = conn.db.transaction(async (t) => {
        await t.execute(sql`select 1`);
        await t.execute(sql`select pg_sleep(2)`);
      });
      const settled = tx.then(
        () => "committed",
        (err: unknown) => err,
      );
      // Cut while pg_sleep runs: the server has the statement, the client waits for it.
      await new Promise((resolve) => setTimeout(resolve, 200));
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
