/**
 * The BFF's API for the web page (`/api/*`): response shapes, request schemas and the shapes of
 * its server-sent events. Shared by `bff/` (which serves it) and `web/` (which calls it).
 */
import { z } from "zod";
import { Build, BuildDetail, BuildPage, StatusCounts } from "./contract/builds.ts";
import { DeclaredParam, PipelineSummary } from "./contract/catalog.ts";
import { Permissions, ProjectAccess, SessionUser } from "./contract/identity.ts";
import {
  AuditPage,
  BatchPreview,
  CancelFilter,
  Operation,
  OperationItemPage,
  OperationPage,
  RerunFilter,
} from "./contract/operations.ts";
import { BuildId, Reason } from "./contract/shared.ts";

/* Session ------------------------------------------------------------------------------ */

export { SignInRequest } from "./contract/identity.ts";

/**
 * `POST /api/session` → 200 (sets the httpOnly session cookie). `DELETE /api/session` → 204 signs
 * out: the engine revokes the session and the streams it opened end.
 */
export const SessionResponse = z.object({ user: SessionUser, csrfToken: z.string() });
export type SessionResponse = z.infer<typeof SessionResponse>;

/** The engine's: who the caller is, their role in a project and what it lets them do. */
export { Permissions, ProjectAccess, Role, SessionUser } from "./contract/identity.ts";

/** `GET /api/me` → 200, or 401 `unauthenticated` without a session. */
export const MeResponse = SessionResponse.extend({ projects: z.array(ProjectAccess) });
export type MeResponse = z.infer<typeof MeResponse>;

/* Pages -------------------------------------------------------------------------------- */

/** `GET /api/projects/{project}/pipelines` */
export const PipelinesResponse = z.object({ project: ProjectAccess, items: z.array(PipelineSummary) });
export type PipelinesResponse = z.infer<typeof PipelinesResponse>;

/**
 * `GET /api/projects/{project}/pipelines/{pipeline}/history?status=A,B&branch=&cursor=&limit=`
 * One round trip for the history page.
 */
/** A parameter the pipeline declares (`params:`): what the Run build form asks for. */
export { DeclaredParam } from "./contract/catalog.ts";

export const HistoryResponse = z.object({
  pipeline: PipelineSummary.extend({ cancelGraceSeconds: z.number(), params: z.record(z.string(), DeclaredParam) }),
  /** Newest first; `nextCursor` fetches the next (older) page. */
  builds: BuildPage,
  /** Builds per status across all pages (for the branch filter, when one is given). */
  counts: StatusCounts,
  /**
   * Builds that can be canceled (QUEUED + RUNNING) across all pages and branches. The page counts
   * "Cancel all running (M)" from `counts` instead, which follow the branch filter.
   */
  activeCount: z.number().int(),
  permissions: Permissions,
  /** The caller's bulk operations on this pipeline that are still running. */
  operations: z.array(Operation),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

/* Bulk actions: cancellations and re-runs ---------------------------------------------- */

const Snapshot = z.string().min(1).max(2000);
const BuildIds = z.array(BuildId).min(1).max(10_000);
const Excluded = z.array(BuildId).max(10_000).optional();

/**
 * `POST .../cancellations/preview`: what a cancel would reach — ticked builds, or a filter (with
 * rows left out) — without changing anything. Answers `BatchPreview` with the snapshot to confirm.
 */
export const CancellationPreviewRequest = z.union([
  z.strictObject({ buildIds: BuildIds }),
  z.strictObject({ filter: CancelFilter, excludeBuildIds: Excluded }),
]);
export type CancellationPreviewRequest = z.infer<typeof CancellationPreviewRequest>;

/**
 * Ticked builds, or a filter confirmed from a preview: its `snapshot` is required with a filter
 * (only builds that existed then are canceled, whatever was triggered since) and binds ticked
 * builds to the preview too when sent. `force`: protected builds are stopped as well, and builds
 * already CANCELING are finalized now (the retry of failed stops).
 */
export const CancellationRequest = z.union([
  z.strictObject({
    buildIds: BuildIds,
    snapshot: Snapshot.optional(),
    reason: Reason.optional(),
    force: z.boolean().optional(),
    confirmCount: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    filter: CancelFilter,
    excludeBuildIds: Excluded,
    snapshot: Snapshot,
    reason: Reason.optional(),
    force: z.boolean().optional(),
    /** The number the person typed, when the preview's `confirmation.required`. */
    confirmCount: z.number().int().min(0).optional(),
  }),
]);
export type CancellationRequest = z.infer<typeof CancellationRequest>;

/** `POST .../cancellations/preview` → 200 */
export const CancellationPreviewResponse = BatchPreview;
export type CancellationPreviewResponse = z.infer<typeof BatchPreview>;

/**
 * `POST /api/projects/{project}/pipelines/{pipeline}/cancellations` (or project-wide
 * `/api/projects/{project}/cancellations`) → 202 `{operation}`. Send an `Idempotency-Key` header
 * (one per confirmed preview) so a double click makes one operation.
 */
export const CancellationResponse = z.object({ operation: Operation });
export type CancellationResponse = z.infer<typeof CancellationResponse>;

/**
 * `POST .../reruns/preview`: what a re-run would reach — ticked builds, a filter (any status), or
 * what an earlier operation canceled — without changing anything. Answers `BatchPreview`.
 */
export const RerunPreviewRequest = z.union([
  z.strictObject({ buildIds: BuildIds }),
  z.strictObject({ filter: RerunFilter, excludeBuildIds: Excluded }),
  z.strictObject({ fromOperation: z.uuid() }),
]);
export type RerunPreviewRequest = z.infer<typeof RerunPreviewRequest>;

/** A re-run as previewed: new builds with the same branch, commit and parameters. A filter needs its snapshot. */
export const RerunRequest = z.union([
  z.strictObject({ buildIds: BuildIds, snapshot: Snapshot.optional(), reason: Reason.optional() }),
  z.strictObject({ filter: RerunFilter, excludeBuildIds: Excluded, snapshot: Snapshot, reason: Reason.optional() }),
  z.strictObject({ fromOperation: z.uuid(), snapshot: Snapshot.optional(), reason: Reason.optional() }),
]);
export type RerunRequest = z.infer<typeof RerunRequest>;

/** `POST .../reruns/preview` → 200 */
export const RerunPreviewResponse = BatchPreview;
export type RerunPreviewResponse = z.infer<typeof BatchPreview>;

/**
 * `POST /api/projects/{project}/pipelines/{pipeline}/reruns` (or project-wide
 * `/api/projects/{project}/reruns`) → 201 `{operation}`, already completed: each item `created`
 * (its note is the new build's `#number`) or `skipped`. Send an `Idempotency-Key` as with a cancel.
 */
export const RerunResponse = CancellationResponse;
export type RerunResponse = z.infer<typeof RerunResponse>;

/**
 * `GET /api/projects/{project}/operations?status=&source=&requestedBy=&pipeline=&cursor=&limit=`
 * (the engine's `OperationsQuery`): the project's bulk operations, newest first.
 */
export const OperationsResponse = OperationPage;
export type OperationsResponse = z.infer<typeof OperationPage>;

/**
 * `GET /api/projects/{project}/audit?actor=&action=&source=&cursor=&limit=` (maintainers and
 * admins; 403 `forbidden` otherwise), newest first. `GET /api/projects/{project}/audit.csv` with the
 * same filters downloads every matching entry as CSV.
 */
export const AuditResponse = AuditPage;
export type AuditResponse = z.infer<typeof AuditPage>;

/** `GET /api/operations/{id}` */
export const OperationResponse = CancellationResponse;
export type OperationResponse = z.infer<typeof OperationResponse>;

/** `GET /api/operations/{id}/items?outcome=&cursor=&limit=` */
export const OperationItemsResponse = OperationItemPage;
export type OperationItemsResponse = z.infer<typeof OperationItemPage>;

/** `GET /api/builds/{id}`. `POST /api/builds/{id}/cancel` `{reason?, force?}` → 202 `CancellationResponse`. */
export const BuildResponse = z.object({ build: BuildDetail, permissions: Permissions });
export type BuildResponse = z.infer<typeof BuildResponse>;

/**
 * `POST /api/projects/{project}/pipelines/{pipeline}/builds` `{branch?, commit?, params?}` (the
 * engine's `TriggerRequest`) → 201 `{build}`: Run build, for developers.
 */
export const TriggerResponse = z.object({ build: Build });
export type TriggerResponse = z.infer<typeof TriggerResponse>;

/* Streams ------------------------------------------------------------------------------ */

/**
 * `GET /api/stream?topics=…` (SSE): the page's one event stream, whose topics, messages and
 * resume ids are in `page-stream.ts`. A browser holds one for all its tabs.
 */
export type { BuildChange, LogChunk, StreamData, StreamTopic } from "./page-stream.ts";
