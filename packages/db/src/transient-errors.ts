// Codes that say "the database could not be reached or dropped the connection", as
// opposed to "the statement is wrong": retrying the same statement may then succeed.
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
// postgres.js's connection errors; not CONNECTION_ENDED / CONNECTION_DESTROYED, which
// mean this process closed the pool itself and it stays closed.
const DRIVER = new Set(["CONNECTION_CLOSED", "CONNECT_TIMEOUT"]);
// SQLSTATE: the connection exceptions of class 08 except a protocol violation (08P01,
// which a retry repeats), the server shutting down or starting up, too many connections.
const SERVER = new Set([
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "08007",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/**
 * True when `err` (or an error it wraps: Drizzle wraps the driver's in "Failed query")
 * is a connection failure rather than a problem with the statement.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK.has(code) || DRIVER.has(code) || SERVER.has(code))) return true;
  }
  return false;
}

/**
 * True when `err` (or an error it wraps) is a data error PostgreSQL will repeat for the
 * same rows: SQLSTATE class 22 (data exception: U+0000 in jsonb, a timestamp out of
 * range) or 23 (integrity constraint violation).
 */
export function isDataError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
