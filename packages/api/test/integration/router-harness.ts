import { afterAll, expect } from "vitest";
import { connectDatabase } from "@emote/db";
import { testInfraConfig } from "@emote/testkit";
import { TRPCError } from "@trpc/server";
import { appRouter, createCallerFactory, type LiveSources } from "../../src/index.ts";

/** The router called in-process against the real test database, as the router tests share it. */
export const conn = connectDatabase(testInfraConfig().databaseUrl, { max: 2 });
afterAll(() => conn.close());

export const createCaller = createCallerFactory(appRouter);

/** Live sources that never emit: these tests call queries and mutations only. */
export const noLive: LiveSources = {
  moments: { subscribe: () => () => undefined, nextPosition: () => 1 },
  stats: { subscribe: () => () => undefined, recent: () => [] },
};

/** The TRPCError a call rejects with (fails the test if it resolves or throws anything else). */
export async function errorOf(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}
