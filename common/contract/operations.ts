/** Bulk operations of every kind (cancel, re-run): requests, previews, operations, their items and the audit log. */
import { z } from "zod";
import {
  ITEM_OUTCOMES,
  KEEP_NEWEST_PER,
  OPERATION_KINDS,
  OPERATION_SOURCES,
  OPERATION_STATUSES,
} from "../constants.ts";
import { BUILD_STATUSES } from "../statuses.ts";
import { BUILD_TRIGGER_KINDS, Build, BuildStatusSchema } from "./builds.ts";
import {
  BuildId,
  BuildNumber,
  Cursor,
  commaList,
  page,
  pageLimit,
  QueryText,
  QueryUsername,
  Reason,
  ResourceName,
  Time,
} from "./shared.ts";

/* Requests ---------------------------------------------------------------------------- */

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
  /** Builds a push started, a pull request started, or an API call (the console's Run build too). */
  trigger: z.enum(BUILD_TRIGGER_KINDS).optional(),
  /** Builds of this pull request (its number, in any of the project's repositories). */
  pullRequest: z.number().int().min(1).max(999_999_999).optional(),
  /** Only builds created before this instant (ISO 8601), or numbered below this build number (one pipeline). */
  before: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
  /** Project scope only: these pipelines (all of the project's when left out). */
  pipelines: z.array(z.string().min(1).max(63)).min(1).max(1000).optional(),
  /** Of the matching builds, leave the `count` newest per branch (of each pipeline), pipeline or concurrency group alone. */
  keepNewest: z
    .strictObject({
      per: z.enum(KEEP_NEWEST_PER),
      count: z.number().int().min(1).max(1000),
    })
    .optional(),
  /** Also reach branches the project protects (`protectedBranches`); a filter skips them otherwise. */
  includeProtectedBranches: z.boolean().optional(),
});
export type CancelFilter = z.infer<typeof CancelFilter>;
export type KeepNewest = NonNullable<CancelFilter["keepNewest"]>;

/** A re-run's filter: like a cancel's, but any status (re-run what failed, or was canceled), and nothing kept or protected. */
export const RerunFilter = CancelFilter.omit({ keepNewest: true, includeProtectedBranches: true }).extend({
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
    /** The preview's total, typed by the person: needed to confirm a preview whose `confirmation.required`. */
    confirmCount: z.number().int().min(0).optional(),
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

/**
 * The `Idempotency-Key` a cancel or bulk request may carry: bound to the user, the kind of route
 * and the request, the same key and body answer the first operation again; the key with another
 * body, scope or kind of route answers 422 `idempotency_key_reused`.
 */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/* Responses --------------------------------------------------------------------------- */

/** What a bulk cancel would cost: where its running builds are, the work done and avoided, what is in flight. */
export const BulkImpact = z.object({
  /** Running builds per agent (a build with jobs on two agents counts on each), most first. */
  runningByAgent: z.array(z.object({ agent: z.string(), builds: z.number().int() })),
  /** Seconds the running builds have run so far, summed: work thrown away. */
  workDoneSeconds: z.number().int(),
  /**
   * Seconds of work the queued builds will not take, estimated: per pipeline, its queued builds
   * times the median duration of its last 20 succeeded builds.
   */
  workAvoidedSeconds: z.number().int(),
  /** Queued builds of pipelines with no succeeded build to estimate from (not in `workAvoidedSeconds`). */
  unestimated: z.number().int(),
  /** Steps running now, per stage and step, most first (at most 20): "3 in stage deploy, step kubectl apply". */
  inFlight: z.array(z.object({ stage: z.string(), step: z.string(), builds: z.number().int() })),
  /** Builds with a protected job (interruptible: false) under way (as `protected`). */
  protectedBuilds: z.number().int(),
  /** Pull requests of repository builds whose checks will turn canceled (at most 50). */
  pullRequests: z.array(z.object({ repository: z.string(), number: z.number().int(), builds: z.number().int() })),
});
export type BulkImpact = z.infer<typeof BulkImpact>;

/** The answer to a preview: counts, the first builds, and the signed bound to confirm with. */
export const BatchPreview = z.object({
  total: z.number().int(),
  /** Every status is there (0 when none). */
  byStatus: z.record(BuildStatusSchema, z.number().int()),
  /** Of the total, builds with a protected job under way: left alone unless the cancel is forced. */
  protected: z.number().int(),
  byPipeline: z.record(z.string(), z.number().int()),
  /** The newest matching builds, at most 20. */
  first: z.array(Build),
  /** The highest build number reached, per pipeline ("up to #580"). */
  upTo: z.record(z.string(), z.number().int()),
  /** Opaque; send it back with the cancel. Valid for `SLUICE_PREVIEW_TTL_SECONDS`. */
  snapshot: z.string(),
  expiresAt: Time,
  /** Matching builds left alone by `filter.keepNewest` (not in `total`). */
  kept: z.number().int(),
  /** Of them, the newest, at most 20. */
  keptBuilds: z.array(Build),
  /** How many branches, pipelines or groups the kept builds are the newest of. */
  keptKeys: z.number().int(),
  /** Matching builds on branches the project protects, left out (not in `total`); 0 with `includeProtectedBranches`. */
  leftOut: z.object({
    protectedBranches: z.number().int(),
    /** The project's protected branch patterns. */
    patterns: z.array(z.string()),
    /** Whether the request reaches protected branches too (`filter.includeProtectedBranches`). */
    included: z.boolean(),
  }),
  /** A cancel's cost (a re-run's preview has none). */
  impact: BulkImpact.optional(),
  /**
   * A cancel's guardrail: when `required`, the confirm must carry `confirmCount` equal to `total`
   * (more than `above` builds, or a stage of `stages` in flight).
   */
  confirmation: z.object({ required: z.boolean(), above: z.number().int(), stages: z.array(z.string()) }).optional(),
});
export type BatchPreview = z.infer<typeof BatchPreview>;

/**
 * Settled items per outcome, and those still pending. Every key is always there (0 when the
 * outcome is not one of the operation's kind): cancel settles to canceled, alreadyFinished, failed
 * or protected; rerun to created, skipped or failed.
 */
export const OperationCounts = z.object({
  canceled: z.number().int(),
  alreadyFinished: z.number().int(),
  failed: z.number().int(),
  protected: z.number().int(),
  created: z.number().int(),
  skipped: z.number().int(),
  pending: z.number().int(),
});
export type OperationCounts = z.infer<typeof OperationCounts>;

/** A filter as an operation recorded it (a cancel's or a re-run's). */
const RecordedFilter = z.object({
  status: z.array(BuildStatusSchema),
  branch: z.string().optional(),
  triggeredBy: z.string().optional(),
  before: z.union([z.string(), z.number()]).optional(),
  pipelines: z.array(z.string()).optional(),
  keepNewest: z.object({ per: z.enum(KEEP_NEWEST_PER), count: z.number().int() }).optional(),
  includeProtectedBranches: z.boolean().optional(),
});

/** What an operation targeted: its filter, how many builds it named, and the preview it was confirmed from. */
export const OperationSelection = z.object({
  filter: RecordedFilter.optional(),
  /** How many build ids it named. */
  buildIds: z.number().int().optional(),
  buildNumbers: z.array(z.number().int()).optional(),
  /** How many builds were left out of the filter. */
  excluded: z.number().int().optional(),
  /** A re-run of what this operation canceled. */
  fromOperation: z.string().optional(),
  preview: z.object({ at: Time, maxBuildId: z.number().int() }).optional(),
  /** Matching builds left alone by `filter.keepNewest`. */
  kept: z.number().int().optional(),
  /** Matching builds left out because their branch is protected. */
  leftOutProtected: z.number().int().optional(),
  /** The impact the person saw in the preview they confirmed (its headline figures). */
  impact: z
    .object({
      running: z.number().int(),
      queued: z.number().int(),
      agents: z.number().int(),
      workDoneSeconds: z.number().int(),
      workAvoidedSeconds: z.number().int(),
    })
    .optional(),
});
export type OperationSelection = z.infer<typeof OperationSelection>;

export const Operation = z.object({
  id: z.string(),
  kind: z.enum(OPERATION_KINDS),
  status: z.enum(OPERATION_STATUSES),
  source: z.enum(OPERATION_SOURCES),
  /** `pipeline`: one pipeline; `project`: every pipeline of the project (`pipeline` is null). */
  scope: z.enum(["pipeline", "project"]),
  project: z.string(),
  pipeline: z.string().nullable(),
  selection: OperationSelection.nullable(),
  requestedBy: z.string(),
  reason: z.string().nullable(),
  total: z.number().int(),
  counts: OperationCounts,
  createdAt: Time,
  completedAt: Time.nullable(),
  /** The re-run made from what this operation canceled (an operation is re-run at most once). */
  rerunBy: z.string().nullable(),
  /** The operation whose canceled builds this re-run ran again. */
  rerunOf: z.string().nullable(),
  /**
   * `GET /v1/operations/{id}`: builds whose stop their agent has not acknowledged within the
   * grace period (they are force-finalized at their deadline; `force: true` stops them now).
   */
  stuck: z.number().int().optional(),
});
export type Operation = z.infer<typeof Operation>;

export const OperationItem = z.object({
  buildId: z.number().int(),
  buildNumber: z.number().int(),
  /** The build's pipeline (a re-run's new build is in the same one). */
  pipeline: z.string(),
  branch: z.string(),
  outcome: z.enum(ITEM_OUTCOMES),
  /** Why: the status a build had already reached, or the failure reason. */
  note: z.string().nullable(),
  status: BuildStatusSchema,
  /** A stuck build: the agent that has not acknowledged its stop, its last contact, and when the build is force-finalized. */
  stuck: z
    .object({ agent: z.string().nullable(), lastContactAt: Time.nullable(), forceFinalizeAt: Time.nullable() })
    .optional(),
});
export type OperationItem = z.infer<typeof OperationItem>;

export const AuditEntry = z.object({
  id: z.number().int(),
  project: z.string(),
  /** Null for a project-wide operation. */
  pipeline: z.string().nullable(),
  action: z.enum(OPERATION_KINDS),
  actor: z.string(),
  source: z.enum(OPERATION_SOURCES),
  reason: z.string().nullable(),
  operationId: z.string(),
  targets: z.number().int(),
  /** A forced cancel: it finalized builds already CANCELING at once (Force stop now, or a second cancel). */
  forced: z.boolean(),
  /** The build, when the operation had exactly one. */
  build: z.object({ id: z.number().int(), number: z.number().int() }).nullable(),
  outcome: OperationCounts.extend({ status: z.enum(OPERATION_STATUSES) }),
  createdAt: Time,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const OperationPage = page(Operation);
export const OperationItemPage = page(OperationItem);
export const AuditPage = page(AuditEntry);

/* List queries ------------------------------------------------------------------------ */

/**
 * `GET /v1/projects/{project}/operations`: newest first; `source=user,api`, `status=running`,
 * `requestedBy=alice` (or `mine=1` for the caller), `pipeline=web-app`.
 */
export const OperationsQuery = z.strictObject({
  status: z.enum(OPERATION_STATUSES).optional(),
  source: commaList(OPERATION_SOURCES).optional(),
  requestedBy: QueryUsername.optional(),
  mine: z.enum(["1", "true"]).optional(),
  pipeline: ResourceName.optional(),
  cursor: Cursor.optional(),
  limit: pageLimit(50, 200),
});
export type OperationsQuery = z.infer<typeof OperationsQuery>;

/** `GET /v1/projects/{project}/audit`: newest first; `actor=alice`, `action=cancel`, `source=api`. */
export const AuditQuery = z.strictObject({
  actor: QueryUsername.optional(),
  action: z.enum(OPERATION_KINDS).optional(),
  source: commaList(OPERATION_SOURCES).optional(),
  cursor: Cursor.optional(),
  limit: pageLimit(50, 500),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** `GET /v1/operations/{id}/items`: `outcome`, `cursor`, `limit` (1–1000); checked by the route. */
export const OperationItemsQuery = z.object({
  outcome: QueryText.optional(),
  cursor: QueryText.optional(),
  limit: QueryText.optional(),
});
