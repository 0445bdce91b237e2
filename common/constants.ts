/** Plain values shared by every process and the page (no zod, so the page can import them). */

export const OPERATION_SOURCES = ["user", "api", "concurrency"] as const;
export type OperationSource = (typeof OPERATION_SOURCES)[number];

export const ITEM_OUTCOMES = ["pending", "canceled", "already_finished", "failed"] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export const MAX_REASON_LENGTH = 500;

/** Every mutating `/api` call sends the session's CSRF token in this header. */
export const CSRF_HEADER = "X-CSRF-Token";
