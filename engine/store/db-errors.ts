/**
 * Errors that mean "the database is not there right now" rather than "this request is wrong":
 * a dropped or refused PostgreSQL connection, a server shutting down, SQLite's disk full or I/O
 * errors. They become 503 `database_unavailable`; callers (agents, the BFF) retry.
 */
import { UnavailableError } from "../../common/errors.ts";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
]);
/** PostgreSQL SQLSTATEs: connection exceptions (08), shutdowns (57P01-3), too many connections. */
const PG_STATES = /^(08|57P0[1-3]|53300|53200)/;
const PG_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed|ECONNREFUSED/i;
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  return NETWORK_CODES.has(code) || PG_STATES.test(code) || SQLITE_CODES.test(code) || PG_MESSAGES.test(message);
}

/** The 503 for an unavailable database, or the error itself. */
export function asUnavailable(err: unknown): unknown {
  if (!isDatabaseUnavailable(err)) return err;
  const full = (err as { code?: string }).code === "SQLITE_FULL";
  return new UnavailableError(
    "database_unavailable",
    full ? "The database's disk is full; try again later" : "The database is unreachable; try again shortly",
  );
}
