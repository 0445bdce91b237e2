/** Plain values shared by every process and the page (no zod, so the page can import them). */

/** `repository`: a push, a deleted branch or a closed pull request (the repository's inbound events). */
export const OPERATION_SOURCES = ["user", "api", "concurrency", "repository"] as const;
export type OperationSource = (typeof OPERATION_SOURCES)[number];

export const OPERATION_STATUSES = ["running", "completed"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** The kinds of bulk operation, and the outcomes each one's items can settle to. */
export const OPERATION_KINDS = ["cancel", "rerun"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export const KIND_OUTCOMES = {
  cancel: ["canceled", "already_finished", "failed", "protected"],
  rerun: ["created", "skipped", "failed"],
} as const satisfies Record<OperationKind, readonly string[]>;

export const ITEM_OUTCOMES = [
  "pending",
  "canceled",
  "already_finished",
  "failed",
  "protected",
  "created",
  "skipped",
] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

/** What `filter.keepNewest` counts the newest builds per: a branch (of each pipeline), a pipeline, a concurrency group. */
export const KEEP_NEWEST_PER = ["branch", "pipeline", "group"] as const;
export type KeepNewestPer = (typeof KEEP_NEWEST_PER)[number];

export const MAX_REASON_LENGTH = 500;

/** Every mutating `/api` call sends the session's CSRF token in this header. */
export const CSRF_HEADER = "X-CSRF-Token";
