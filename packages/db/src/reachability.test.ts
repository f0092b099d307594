import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { testInfraConfig } from "@emote/infra";
import { DatabaseUnavailableError, assertDatabaseReachable } from "./reachability.ts";

/** A port on which nothing listens: one just released by a server of ours. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

describe("assertDatabaseReachable", () => {
  it("names PostgreSQL, where, DATABASE_URL and what to do when nothing answers, without the password", async () => {
    const port = await refusedPort();
    const err = await assertDatabaseReachable(`postgres://emote:s3cret-pw@127.0.0.1:${port}/emote`, 3).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect((err as Error).message).toBe(
      `PostgreSQL at 127.0.0.1:${port}/emote (DATABASE_URL) does not answer: connect ECONNREFUSED 127.0.0.1:${port}` +
        " — start it, or set DATABASE_URL to a reachable server",
    );
  });

  it("says the database is missing when the server answers without it", async () => {
    const url = new URL(withDatabase(testInfraConfig().databaseUrl, "emote_no_such_database"));
    url.password = "s3cret-pw";
    const err = await assertDatabaseReachable(url.toString(), 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^PostgreSQL at [^ ]+:\d+\/emote_no_such_database \(DATABASE_URL\): database "emote_no_such_database" does not exist — create it/,
    );
    expect(message).not.toContain("s3cret-pw");
  });

  it("passes when the database answers", async () => {
    await expect(assertDatabaseReachable(testInfraConfig().databaseUrl, 3)).resolves.toBeUndefined();
  });
});
