/**
 * The build status transition table: the only place that says which status may follow which.
 * Each event maps the statuses it may act on to the status it leads to. Every status write in
 * the store is a conditional update generated from this table
 * (`... WHERE id IN (...) AND status IN (froms)`), so a race has exactly one winner.
 */
import type { BuildStatus } from "../../common/statuses.ts";

export const TRANSITIONS = {
  /** The scheduler gave the build's first job a slot (its group was free). */
  start: { QUEUED: "RUNNING" },
  /** All of its jobs succeeded. */
  succeed: { RUNNING: "SUCCEEDED" },
  /** A job failed, or its agent was lost. */
  fail: { RUNNING: "FAILED" },
  /** A job ran past its timeout. */
  runTimeout: { RUNNING: "TIMED_OUT" },
  /** It waited in its concurrency queue longer than queueTimeoutMinutes. */
  queueTimeout: { QUEUED: "TIMED_OUT" },
  /** Cancel requested (by a person, the API, or the concurrency policy). */
  cancel: { QUEUED: "CANCELED", RUNNING: "CANCELING" },
  /** Every job stopped and acknowledged, a forced cancel, or the stop deadline passed. */
  finishCancel: { CANCELING: "CANCELED" },
} as const satisfies Record<string, Partial<Record<BuildStatus, BuildStatus>>>;

export type TransitionEvent = keyof typeof TRANSITIONS;

export function fromStatuses(event: TransitionEvent): BuildStatus[] {
  return Object.keys(TRANSITIONS[event]) as BuildStatus[];
}

export function nextStatus(event: TransitionEvent, from: BuildStatus): BuildStatus | undefined {
  return (TRANSITIONS[event] as Partial<Record<BuildStatus, BuildStatus>>)[from];
}

/** The status a row had before `event` moved it to `to` (each event's mapping is one-to-one). */
export function previousStatus(event: TransitionEvent, to: BuildStatus): BuildStatus {
  const entry = Object.entries(TRANSITIONS[event]).find(([, target]) => target === to);
  if (!entry) throw new Error(`${event} never leads to ${to}`);
  return entry[0] as BuildStatus;
}

export function canTransition(from: BuildStatus, to: BuildStatus): boolean {
  return Object.values(TRANSITIONS).some(
    (mapping) => (mapping as Partial<Record<BuildStatus, BuildStatus>>)[from] === to,
  );
}
