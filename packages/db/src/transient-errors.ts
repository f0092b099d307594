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
// postgres.js's own connection errors.
const DRIVER = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT"]);
// SQLSTATE: class 08 (connection exception), the server shutting down or starting up,
// and too many connections.
const SERVER = /^(08...|57P0[1-3]|53300)$/;

/**
 * True when `err` (or an error it wraps: Drizzle wraps the driver's in "Failed query")
 * is a connection failure rather than a problem with the statement.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK.has(code) || DRIVER.has(code) || SERVER.test(code))) return true;
  }
  return false;
}
