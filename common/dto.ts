/** Shapes of the engine's HTTP API: responses (types) and requests (zod schemas). */
import { z } from "zod";
import type { AgentContainment } from "./agent-channel.ts";
import {
  type ItemOutcome,
  MAX_REASON_LENGTH,
  OPERATION_KINDS,
  OPERATION_SOURCES,
  OPERATION_STATUSES,
  type OperationKind,
  type OperationSource,
  type OperationStatus,
} from "./constants.ts";
import { BUILD_STATUSES, type BuildStatus, type JobStatus, type StepStatus } from "./statuses.ts";

export type CancelInfo = { by: string; reason: string | null; operationId: string; at: string };

export type Build = {
  id: number;
  project: string;
  pipeline: string;
  number: number;
  status: BuildStatus;
  branch: string;
  commit: string;
  params: Record<string, string>;
  triggeredBy: string;
  concurrencyGroup: string | null;
  statusReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancel?: CancelInfo;
};

export type Step = {
  index: number;
  name: string;
  run: string;
  status: StepStatus;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
};

export type Job = {
  id: number;
  stage: string;
  stageIndex: number;
  name: string;
  status: JobStatus;
  agentId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** When the engine told its agent to stop it (cancel, timeout, a failed sibling); null if never. */
  stopRequestedAt: string | null;
  steps: Step[];
};

export type BuildDetail = Build & { cancelGraceSeconds: number; jobs: Job[] };

/**
 * Settled items per outcome, and those still pending. Every key is always there (0 when the
 * outcome is not one of the operation's kind): cancel settles to canceled, alreadyFinished, failed
 * or protected; rerun to created, skipped or failed.
 */
export type OperationCounts = {
  canceled: number;
  alreadyFinished: number;
  failed: number;
  protected: number;
  created: number;
  skipped: number;
  pending: number;
};

/** What an operation targeted: its filter, how many builds it named, and the preview it was confirmed from. */
export type OperationSelection = {
  filter?: CancelFilter | RerunFilter;
  /** How many build ids it named. */
  buildIds?: number;
  buildNumbers?: number[];
  /** How many builds were left out of the filter. */
  excluded?: number;
  /** A re-run of what this operation canceled. */
  fromOperation?: string;
  preview?: { at: string; maxBuildId: number };
};

export type Operation = {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  source: OperationSource;
  /** `pipeline`: one pipeline; `project`: every pipeline of the project (`pipeline` is null). */
  scope: "pipeline" | "project";
  project: string;
  pipeline: string | null;
  selection: OperationSelection | null;
  requestedBy: string;
  reason: string | null;
  total: number;
  counts: OperationCounts;
  createdAt: string;
  completedAt: string | null;
};

export type OperationItem = {
  buildId: number;
  buildNumber: number;
  branch: string;
  outcome: ItemOutcome;
  /** Why: the status a build had already reached, or the failure reason. */
  note: string | null;
  status: BuildStatus;
};

export type AuditEntry = {
  id: number;
  project: string;
  /** Null for a project-wide operation. */
  pipeline: string | null;
  action: OperationKind;
  actor: string;
  source: OperationSource;
  reason: string | null;
  operationId: string;
  targets: number;
  /** The build, when the operation had exactly one. */
  build: { id: number; number: number } | null;
  outcome: OperationCounts & { status: OperationStatus };
  createdAt: string;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

/** An agent as an admin sees it (`GET /v1/agents`). */
export type AgentInfo = {
  id: string;
  name: string;
  slots: number;
  busySlots: number;
  lastSeenAt: string;
  /** How it contains its jobs' processes (`pid-namespace`, or the `env-marker` fallback). */
  containment: AgentContainment | null;
};

export type Project = { name: string; displayName: string; createdAt: string };
export type PipelineSummary = {
  project: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Active builds right now, across all pages. */
  active: { queued: number; running: number; canceling: number };
  lastBuild: Build | null;
};
export type Pipeline = PipelineSummary & { source: string; definition: unknown };
export type StatusCounts = Record<BuildStatus, number>;

/* Requests ---------------------------------------------------------------------------- */

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const ResourceName = z.string().regex(NAME_PATTERN, "must be 1-63 lowercase letters, digits, '.', '_' or '-'");

export const ProjectRequest = z.strictObject({
  displayName: z.string().min(1).max(200).optional(),
});

export const TriggerRequest = z.strictObject({
  branch: z.string().min(1).max(255).default("main"),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i, "must be a hex commit id")
    .optional(),
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(4096)).default({}),
});
export type TriggerRequest = z.infer<typeof TriggerRequest>;

export const Reason = z.string().max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);

/** A build id as it appears in a request: a positive integer within a signed 64-bit safe range. */
export const BuildId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const CancelRequest = z.strictObject({
  reason: Reason.optional(),
  force: z.boolean().default(false),
});
export type CancelRequest = z.infer<typeof CancelRequest>;

/** A build number as people see it (`#368`), within one pipeline. */
export const BuildNumber = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const CancelFilter = z.strictObject({
  status: z
    .array(z.enum(BUILD_STATUSES))
    .min(1, "must name at least one status")
    .refine((s) => s.every((x) => x === "QUEUED" || x === "RUNNING"), {
      message: "may only name active statuses that can be canceled: QUEUED, RUNNING",
    }),
  branch: z.string().min(1).max(255).optional(),
  /** Builds triggered by this user. */
  triggeredBy: z.string().min(1).max(100).optional(),
  /** Only builds created before this instant (ISO 8601), or numbered below this build number (one pipeline). */
  before: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
  /** Project scope only: these pipelines (all of the project's when left out). */
  pipelines: z.array(z.string().min(1).max(63)).min(1).max(1000).optional(),
});
export type CancelFilter = z.infer<typeof CancelFilter>;

/** A re-run's filter: like a cancel's, but any status (re-run what failed, or was canceled). */
export const RerunFilter = CancelFilter.extend({
  status: z.array(z.enum(BUILD_STATUSES)).min(1, "must name at least one status"),
});
export type RerunFilter = z.infer<typeof RerunFilter>;

/** Which builds a bulk action names: ids (machines), numbers (people, one pipeline) or a filter. */
const Selection = {
  buildIds: z.array(BuildId).min(1, "must name at least one build").optional(),
  buildNumbers: z.array(BuildNumber).min(1, "must name at least one build").optional(),
  filter: CancelFilter.optional(),
  /** With a filter: builds left out ("all matching except these"). */
  excludeBuildIds: z.array(BuildId).max(100_000).optional(),
};

const oneSelection = (r: { buildIds?: unknown; buildNumbers?: unknown; filter?: unknown }) =>
  [r.buildIds, r.buildNumbers, r.filter].filter((x) => x !== undefined).length === 1;
const SELECTION_RULE = { message: "give exactly one of buildIds, buildNumbers or filter" };
const EXCLUDE_RULE = { message: "excludeBuildIds goes with a filter", path: ["excludeBuildIds"] };
const excludeNeedsFilter = (r: { filter?: unknown; excludeBuildIds?: unknown }) =>
  r.excludeBuildIds === undefined || r.filter !== undefined;

/** `POST .../batch-cancel/preview`: what a bulk cancel would reach, without changing anything. */
export const BatchPreviewRequest = z
  .strictObject(Selection)
  .refine(oneSelection, SELECTION_RULE)
  .refine(excludeNeedsFilter, EXCLUDE_RULE);
export type BatchPreviewRequest = z.infer<typeof BatchPreviewRequest>;

export const BatchCancelRequest = z
  .strictObject({
    ...Selection,
    /** From the preview the user confirmed: only builds that existed then are canceled. */
    snapshot: z.string().min(1).max(2000).optional(),
    reason: Reason.optional(),
    atomic: z.boolean().default(false),
    /** Targets already CANCELING are finalized now and their processes SIGKILLed (retrying failed stops). */
    force: z.boolean().default(false),
  })
  .refine(oneSelection, SELECTION_RULE)
  .refine(excludeNeedsFilter, EXCLUDE_RULE);
export type BatchCancelRequest = z.infer<typeof BatchCancelRequest>;

/** Which builds a bulk re-run names: as a cancel does, or what an operation canceled. */
const RerunSelection = {
  ...Selection,
  filter: RerunFilter.optional(),
  /** Re-run the builds this operation canceled. */
  fromOperation: z.uuid().optional(),
};
const oneRerunSelection = (r: {
  buildIds?: unknown;
  buildNumbers?: unknown;
  filter?: unknown;
  fromOperation?: unknown;
}) => [r.buildIds, r.buildNumbers, r.filter, r.fromOperation].filter((x) => x !== undefined).length === 1;
const RERUN_RULE = { message: "give exactly one of buildIds, buildNumbers, filter or fromOperation" };

/** `POST .../batch-rerun/preview` */
export const BatchRerunPreviewRequest = z
  .strictObject(RerunSelection)
  .refine(oneRerunSelection, RERUN_RULE)
  .refine(excludeNeedsFilter, EXCLUDE_RULE);
export type BatchRerunPreviewRequest = z.infer<typeof BatchRerunPreviewRequest>;

/**
 * `POST .../batch-rerun`: new builds with the same branch, commit and parameters, through the
 * concurrency policy as triggers; one operation of kind `rerun`.
 */
export const BatchRerunRequest = z
  .strictObject({
    ...RerunSelection,
    snapshot: z.string().min(1).max(2000).optional(),
    reason: Reason.optional(),
  })
  .refine(oneRerunSelection, RERUN_RULE)
  .refine(excludeNeedsFilter, EXCLUDE_RULE);
export type BatchRerunRequest = z.infer<typeof BatchRerunRequest>;

/** The answer to a preview: counts, the first builds, and the signed bound to confirm with. */
export type BatchPreview = {
  total: number;
  /** Every status is there (0 when none). */
  byStatus: Record<BuildStatus, number>;
  /** Of the total, builds with a protected job under way: left alone unless the cancel is forced. */
  protected: number;
  byPipeline: Record<string, number>;
  /** The newest matching builds, at most 20. */
  first: Build[];
  /** The highest build number reached, per pipeline ("up to #580"). */
  upTo: Record<string, number>;
  /** Opaque; send it back with the cancel. Valid for `SLUICE_PREVIEW_TTL_SECONDS`. */
  snapshot: string;
  expiresAt: string;
};

/* List queries (query strings: text values, lists comma-separated) ------------------------ */

const commaList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((text) => [...new Set(text.split(",").map((s) => s.trim()))].filter((s) => s !== ""))
    .pipe(z.array(z.enum(values)).min(1, "must name at least one value"));

const Cursor = z.string().min(1).max(200);
const Username = z.string().min(1).max(100);
const pageLimit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);

/**
 * `GET /v1/projects/{project}/operations`: newest first; `source=user,api`, `status=running`,
 * `requestedBy=alice` (or `mine=1` for the caller), `pipeline=web-app`.
 */
export const OperationsQuery = z.strictObject({
  status: z.enum(OPERATION_STATUSES).optional(),
  source: commaList(OPERATION_SOURCES).optional(),
  requestedBy: Username.optional(),
  mine: z.enum(["1", "true"]).optional(),
  pipeline: ResourceName.optional(),
  cursor: Cursor.optional(),
  limit: pageLimit(50, 200),
});
export type OperationsQuery = z.infer<typeof OperationsQuery>;

/** `GET /v1/projects/{project}/audit`: newest first; `actor=alice`, `action=cancel`, `source=api`. */
export const AuditQuery = z.strictObject({
  actor: Username.optional(),
  action: z.enum(OPERATION_KINDS).optional(),
  source: commaList(OPERATION_SOURCES).optional(),
  cursor: Cursor.optional(),
  limit: pageLimit(50, 500),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
