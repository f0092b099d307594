import { describe, expect, it } from "vitest";
import { refusedPort, testInfraConfig } from "@emote/testkit";
import { DatabaseUnavailableError, assertDatabaseReachable } from "../../src/reachability.ts";

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
