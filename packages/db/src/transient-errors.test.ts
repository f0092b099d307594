import { describe, expect, it } from "vitest";
import { isDataError, isTransientDatabaseError } from "./transient-errors.ts";

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

describe("isDataError", () => {
  it.each([
    ["U+0000 in jsonb (22P05), wrapped by Drizzle", wrapped(coded("22P05")), true],
    ["a lone surrogate in jsonb (22P02)", coded("22P02"), true],
    ["a timestamp out of range (22008)", wrapped(coded("22008")), true],
    ["a unique violation (23505)", coded("23505"), true],
    ["a refused connection", coded("ECONNREFUSED"), false],
    ["a syntax error (42601)", coded("42601"), false],
    ["an error without a code", new Error("boom"), false],
  ])("says %s is %s", (_, err, expected) => {
    expect(isDataError(err)).toBe(expected);
  });
});
