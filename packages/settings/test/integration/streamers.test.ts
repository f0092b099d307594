import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { connectDatabase, createStreamer, eq, streamers } from "@emote/db";
import { testInfraConfig, waitFor } from "@emote/testkit";
import { followStreamers } from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

describe("followStreamers on the real PostgreSQL", () => {
  it("knows a created streamer within a second and forgets a removed one", async () => {
    const id = `fs-${randomUUID()}`;
    const failures: Error[] = [];
    const known = await followStreamers(conn, { failed: (err) => failures.push(err) });
    try {
      expect(known.has("default")).toBe(true);
      expect(known.has(id)).toBe(false);
      await createStreamer(conn.db, id, "admin");
      const created = performance.now();
      await waitFor("the created streamer", () => known.has(id), 1_000, 5);
      expect(performance.now() - created).toBeLessThan(1_000);
      await conn.db.delete(streamers).where(eq(streamers.streamerId, id));
      await waitFor("the removed streamer forgotten", () => !known.has(id), 1_000, 5);
      expect(failures).toEqual([]);
    } finally {
      await known.stop();
    }
  });
});
