/**
 * The few run-time values from `common/` the page needs. `common/` defines them next to zod
 * schemas, so importing them would ship all of zod (about 55 kB gzip) to the browser for a
 * header name and some status lists. They are restated here, typed against `common/`, and
 * `contract.test.ts` fails if they ever differ. Types still come from `common/` directly.
 */
import type { ItemOutcome } from "../../../common/dto.ts";
import type { BuildStatus } from "../../../common/statuses.ts";

export const CSRF_HEADER = "X-CSRF-Token";

export const MAX_REASON_LENGTH = 500;

export const BUILD_STATUSES = [
  "QUEUED",
  "RUNNING",
  "CANCELING",
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "TIMED_OUT",
] as const satisfies readonly BuildStatus[];

export const ACTIVE_STATUSES = ["QUEUED", "RUNNING", "CANCELING"] as const satisfies readonly BuildStatus[];

export const TERMINAL_STATUSES = [
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "TIMED_OUT",
] as const satisfies readonly BuildStatus[];

/** Statuses a cancel can act on (CANCELING is already on its way). */
export const CANCELABLE_STATUSES = ["QUEUED", "RUNNING"] as const satisfies readonly BuildStatus[];

export const ITEM_OUTCOMES = [
  "pending",
  "canceled",
  "already_finished",
  "failed",
] as const satisfies readonly ItemOutcome[];

export function isTerminal(status: BuildStatus): boolean {
  return (TERMINAL_STATUSES as readonly BuildStatus[]).includes(status);
}

export function isActive(status: BuildStatus): boolean {
  return !isTerminal(status);
}

export function isCancelableStatus(status: BuildStatus): boolean {
  return (CANCELABLE_STATUSES as readonly BuildStatus[]).includes(status);
}
