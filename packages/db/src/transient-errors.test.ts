import { describe, expect, it } from "vitest";
import { isTransientDatabaseError } from "./transient-errors.ts";

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });
const wrapped = (cause: Error) => new Error("Failed query: insert into …", { cause });

describe("isTransientDatabaseError", () => {
  it.each([
    ["a refused connection", coded("ECONNREFUSED")],
    ["a reset connection, wrapped by Drizzle", wrapped(coded("ECONNRESET"))],
    ["postgres.js's closed connection", wrapped(coded("CONNECTION_CLOSED"))],
    ["a connect timeout", coded("CONNECT_TIMEOUT")],
    ["an administrator shutdown (57P01)", wrapped(coded("57P01"))],
    ["a connection failure (08006)", coded("08006")],
    ["too many connections (53300)", coded("53300")],
  ])("is true for %s", (_, err) => {
    expect(isTransientDatabaseError(err)).toBe(true);
  });

  it.each([
    ["a unique violation (23505)", wrapped(coded("23505"))],
    ["a syntax error (42601)", coded("42601")],
    ["a protocol violation (08P01)", coded("08P01")],
    ["a bad password (28P01)", wrapped(coded("28P01"))],
    ["a missing database (3D000)", coded("3D000")],
    ["a pool this process ended (CONNECTION_ENDED)", coded("CONNECTION_ENDED")],
    ["an error without a code", new Error("boom")],
    ["something that is not an error", "ECONNREFUSED"],
  ])("is false for %s", (_, err) => {
    expect(isTransientDatabaseError(err)).toBe(false);
  });
});
