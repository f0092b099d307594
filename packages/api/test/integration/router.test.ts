import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "@emote/contracts";
import { connectDatabase, saveSettings } from "@emote/db";
import { testInfraConfig } from "@emote/infra";
import { TRPCError } from "@trpc/server";
import { appRouter, createCallerFactory } from "../../src/index.ts";

const conn = connectDatabase(testInfraConfig().databaseUrl, { max: 2 });
afterAll(() => conn.close());
const caller = createCallerFactory(appRouter)({ db: conn.db });

describe("settings.get", () => {
  it("returns a streamer's own settings, or the defaults", async () => {
    const streamerId = `api-${randomUUID().slice(0, 8)}`;
    expect(await caller.settings.get({ streamerId })).toEqual(DEFAULT_SETTINGS);
    await saveSettings(conn.db, streamerId, { threshold: 0.45 });
    expect(await caller.settings.get({ streamerId })).toEqual({ ...DEFAULT_SETTINGS, threshold: 0.45 });
  });

  it("rejects a bad streamerId with BAD_REQUEST naming the field", async () => {
    const err = await caller.settings.get({ streamerId: "no spaces" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toContain("streamerId");
  });
});

describe("streamers.list", () => {
  it("lists streamers with settings of their own, sorted, without the defaults row", async () => {
    const streamerId = `api-${randomUUID().slice(0, 8)}`;
    await saveSettings(conn.db, streamerId, { interval: 7 });
    const list = await caller.streamers.list();
    expect(list).toContain(streamerId);
    expect(list).not.toContain("*");
    expect(list).toEqual([...list].sort());
  });
});
