/** Builds: triggering, history, a build's detail and log, and the single cancel. */
import { z } from "zod";
import { BUILD_STATUSES, JOB_STATUSES, STEP_STATUSES } from "../statuses.ts";
import { page, QueryText, Reason, Time } from "./shared.ts";

export const BuildStatusSchema = z.enum(BUILD_STATUSES);

export const CancelInfo = z.object({
  by: z.string(),
  reason: z.string().nullable(),
  operationId: z.string(),
  at: Time,
});
export type CancelInfo = z.infer<typeof CancelInfo>;

/** How a build came from the repository: a push or a pull request, with its commit's first line and author. */
export const BuildTrigger = z.object({
  kind: z.enum(["push", "pull_request"]),
  repository: z.string(),
  /** The pull request's number (`PR #12`). */
  pullRequest: z.number().int().nullable(),
  /** The head commit's message (its first line is what lists show) and author. */
  commitMessage: z.string().nullable(),
  commitAuthor: z.string().nullable(),
  /** The commit on the provider's web pages, when the repository has a web URL. */
  commitUrl: z.string().nullable(),
});
export type BuildTrigger = z.infer<typeof BuildTrigger>;

export const Build = z.object({
  id: z.number().int(),
  project: z.string(),
  pipeline: z.string(),
  number: z.number().int(),
  status: BuildStatusSchema,
  branch: z.string(),
  commit: z.string(),
  params: z.record(z.string(), z.string()),
  triggeredBy: z.string(),
  concurrencyGroup: z.string().nullable(),
  statusReason: z.string().nullable(),
  createdAt: Time,
  startedAt: Time.nullable(),
  finishedAt: Time.nullable(),
  cancel: CancelInfo.optional(),
  /** Set for builds a push or a pull request started (`triggeredBy` is then the pusher). */
  trigger: BuildTrigger.optional(),
});
export type Build = z.infer<typeof Build>;

export const Step = z.object({
  index: z.number().int(),
  name: z.string(),
  run: z.string(),
  status: z.enum(STEP_STATUSES),
  exitCode: z.number().int().nullable(),
  startedAt: Time.nullable(),
  finishedAt: Time.nullable(),
});
export type Step = z.infer<typeof Step>;

export const Job = z.object({
  id: z.number().int(),
  stage: z.string(),
  stageIndex: z.number().int(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  agentId: z.string().nullable(),
  startedAt: Time.nullable(),
  finishedAt: Time.nullable(),
  /** When the engine told its agent to stop it (cancel, timeout, a failed sibling); null if never. */
  stopRequestedAt: Time.nullable(),
  steps: z.array(Step),
});
export type Job = z.infer<typeof Job>;

export const BuildDetail = Build.extend({ cancelGraceSeconds: z.number(), jobs: z.array(Job) });
export type BuildDetail = z.infer<typeof BuildDetail>;

/** Builds per status; every status is there (0 when none). */
export const StatusCounts = z.record(BuildStatusSchema, z.number().int());
export type StatusCounts = z.infer<typeof StatusCounts>;

export const BuildPage = page(Build);

/** `GET .../builds?format=json` … `GET /v1/builds/{id}/log?format=json`: a page of the log. */
export const LogPage = z.object({
  chunks: z.array(
    z.object({
      id: z.number().int(),
      jobId: z.number().int(),
      stream: z.enum(["stdout", "stderr", "system"]),
      text: z.string(),
    }),
  ),
  next: z.number().int(),
  active: z.boolean(),
  /** Bytes of output not kept past the log limit (`SLUICE_LOG_MAX_BYTES`). */
  droppedBytes: z.number(),
});
export type LogPage = z.infer<typeof LogPage>;

/* Requests ---------------------------------------------------------------------------- */

export const TriggerRequest = z.strictObject({
  branch: z.string().min(1).max(255).default("main"),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i, "must be a hex commit id")
    .optional(),
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(4096)).default({}),
});
export type TriggerRequest = z.infer<typeof TriggerRequest>;

export const CancelRequest = z.strictObject({
  reason: Reason.optional(),
  force: z.boolean().default(false),
});
export type CancelRequest = z.infer<typeof CancelRequest>;

/** What started a build: a push, a pull request, or an API call (the console's Run build too). */
export const BUILD_TRIGGER_KINDS = ["push", "pull_request", "api"] as const;
export type BuildTriggerKind = (typeof BUILD_TRIGGER_KINDS)[number];

/**
 * `GET .../builds`: `status=QUEUED,RUNNING`, `branch`, `trigger` (push, pull_request or api),
 * `pullRequest` (a number), `cursor`, `limit` (1–200); checked by the route.
 */
export const BuildHistoryQuery = z.object({
  status: QueryText.optional(),
  branch: QueryText.optional(),
  trigger: z.enum(BUILD_TRIGGER_KINDS).optional(),
  pullRequest: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, "must be a pull request number")
    .optional(),
  cursor: QueryText.optional(),
  limit: QueryText.optional(),
});

/** `GET .../builds/counts` */
export const BuildCountsQuery = z.object({ branch: QueryText.optional() });

/** `GET /v1/builds/{id}/log`: text by default, a `LogPage` with `format=json`; `after` a chunk id, `job` a job id. */
export const BuildLogQuery = z.object({
  format: z.enum(["json", "text"]).optional(),
  after: QueryText.optional(),
  job: QueryText.optional(),
  limit: QueryText.optional(),
});
