import { randomUUID } from "node:crypto";
import { afterAll, describe, it } from "vitest";
import { testInfraConfig } from "@emote/testkit";
import { connectDatabase } from "../../src/index.ts";
import { checkHistoryOrder } from "../history-order.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl);
afterAll(() => conn.close());

describe("listMoments in the real PostgreSQL", () => {
  it("orders history by window start, then moment-log position, and pages on that pair", async () => {
    await checkHistoryOrder(conn.db, `hist-${randomUUID().slice(0, 8)}`);
  });
});
