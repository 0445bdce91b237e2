/** Build, job and step statuses: the vocabulary every process shares (no zod, so the page can import it). */
export const BUILD_STATUSES = [
  "QUEUED",
  "RUNNING",
  "CANCELING",
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "TIMED_OUT",
] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

export const ACTIVE_STATUSES = ["QUEUED", "RUNNING", "CANCELING"] as const satisfies readonly BuildStatus[];
export const TERMINAL_STATUSES = [
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "TIMED_OUT",
] as const satisfies readonly BuildStatus[];
/** Statuses a cancel can act on (CANCELING is already on its way). */
export const CANCELABLE_STATUSES = ["QUEUED", "RUNNING"] as const satisfies readonly BuildStatus[];

export function isTerminal(status: BuildStatus): boolean {
  return (TERMINAL_STATUSES as readonly BuildStatus[]).includes(status);
}

/** How far along a build is. A status only ever moves to a later stage (see the transition table), never back. */
const STAGE: Record<BuildStatus, number> = {
  QUEUED: 0,
  RUNNING: 1,
  CANCELING: 2,
  SUCCEEDED: 3,
  FAILED: 3,
  CANCELED: 3,
  TIMED_OUT: 3,
};

/** Whether `status` comes after `than`: news of an earlier status is old news. */
export function isLaterStatus(status: BuildStatus, than: BuildStatus): boolean {
  return STAGE[status] > STAGE[than];
}

export function isActive(status: BuildStatus): boolean {
  return !isTerminal(status);
}

export function isCancelableStatus(status: BuildStatus): boolean {
  return (CANCELABLE_STATUSES as readonly BuildStatus[]).includes(status);
}

export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const STEP_STATUSES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
