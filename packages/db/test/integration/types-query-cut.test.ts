import { createServer, connect, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { testInfraConfig } from "@emote/testkit";
import { sql } from "drizzle-orm";
import { connectDatabase } from "../../src/index.ts";

// postgres.js asks each new connection for the array types before its first query; a
// connection lost during that query rejected a promise nobody handled, which ends a Node
// process (seen in CI: the worker's test of a database cut under load). A proxy to the
// real PostgreSQL cuts the first connection at that query and refuses the reconnection;
// the call fails, the process goes on (vitest fails a run with an unhandled rejection),
// and once the proxy listens again the next call works.
const target = new URL(testInfraConfig().databaseUrl);
let cuts = 0;
const open = new Set<Socket>();
const proxy = createServer((client) => {
  const server = connect(Number(target.port || 5432), target.hostname);
  open.add(client).add(server);
  client.on("data", (chunk: Buffer) => {
    if (cuts === 0 && chunk.includes("pg_catalog.pg_type")) {
      cuts++;
      // Gone, and refusing the reconnection too: the types query fails for good.
      proxy.close();
      client.destroy();
      server.destroy();
      return;
    }
    server.write(chunk);
  });
  server.on("data", (chunk: Buffer) => client.write(chunk));
  const close = () => {
    client.destroy();
    server.destroy();
  };
  client.on("error", close).on("close", close);
  server.on("error", close).on("close", close);
});

afterAll(() => {
  for (const s of open) s.destroy();
  proxy.close();
});

describe("a connection lost during postgres.js's types query", () => {
  it("fails that call, kills nothing, and the next call works", async () => {
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const url = new URL(target);
    url.host = `127.0.0.1:${port}`;
    const conn = connectDatabase(url.toString(), { max: 1 });
    try {
      await expect(conn.db.execute(sql`select 1 as one`)).rejects.toThrow();
      expect(cuts).toBe(1);
      await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
      const rows = await conn.db.execute(sql`select 1 as one`);
      expect(rows).toMatchObject([{ one: 1 }]);
    } finally {
      await conn.close();
    }
  });
});
