/** Build, job and step statuses: the vocabulary every process shares. */
import { z } from "zod";

export const BUILD_STATUSES = [
  "QUEUED",
  "RUNNING",
  "CANCELING",
  "SUCCEEDED",
  "FAILED",
  "CANCELED",
  "TIMED_OUT",
] as const;
export const BuildStatus = z.enum(BUILD_STATUSES);
export type BuildStatus = z.infer<typeof BuildStatus>;

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

export function isActive(status: BuildStatus): boolean {
  return !isTerminal(status);
}

export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const;
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const STEP_STATUSES = ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT", "SKIPPED"] as const;
export const StepStatus = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatus>;
