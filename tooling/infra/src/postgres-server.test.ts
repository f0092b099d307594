import { describe, expect, it } from "vitest";
import { PostgresUnavailableError, databaseExists } from "./postgres-server.ts";

describe("a PostgreSQL server that does not answer", () => {
  it("gives an error that says what to start", async () => {
    const err = await databaseExists("postgres://postgres@127.0.0.1:1/nothing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostgresUnavailableError);
    expect((err as Error).message).toMatch(
      /^PostgreSQL is not answering at 127\.0\.0\.1:1\/nothing .*DATABASE_URL/,
    );
  });
});
