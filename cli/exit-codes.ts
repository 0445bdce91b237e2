/** What `sluice` exits with, and the errors that choose it (documented in every `--help` and the README). */
import { EngineError } from "./engine-error.ts";

export const EXIT = {
  ok: 0,
  /** The operation ran but some items failed, or a request failed (the engine refused it, or could not be reached). */
  failed: 1,
  /** The command line was wrong: an unknown command or option, a missing or bad value. */
  usage: 2,
  /** The project, pipeline, build or operation does not exist (or is not visible to the token). */
  notFound: 3,
  /** No token, or the engine refused it (401), or it may not do this (403). */
  auth: 4,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the operation ran but some items failed, or a request failed
  2  usage error (unknown command or option, missing or bad value)
  3  not found (project, pipeline, build or operation)
  4  no token, token refused (401) or not allowed (403)`;

/** A command line that cannot be run as given (exit 2). */
export class UsageError extends Error {}

/** No token to send (exit 4). */
export class NoTokenError extends Error {}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof NoTokenError) return EXIT.auth;
  if (err instanceof EngineError) {
    if (err.status === 401 || err.status === 403) return EXIT.auth;
    if (err.status === 404) return EXIT.notFound;
  }
  return EXIT.failed;
}

/** `error: preview_expired: The preview expired…` — the engine's own code and message. */
export function errorLine(err: unknown): string {
  if (err instanceof EngineError) return `error: ${err.code}: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
