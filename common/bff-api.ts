/**
 * The BFF's API for the web page (`/api/*`): response shapes, request schemas and the shapes of
 * its server-sent events. Shared by `bff/` (which serves it) and `web/` (which calls it).
 */
import { z } from "zod";
import type { Permissions, ProjectAccess, Role, SessionUser } from "./contract/identity.ts";
import {
  type AuditEntry,
  type BatchPreview,
  type Build,
  type BuildDetail,
  BuildId,
  CancelFilter,
  type Operation,
  type OperationItem,
  type Page,
  type PipelineSummary,
  Reason,
  RerunFilter,
  type StatusCounts,
} from "./dto.ts";
import type { BuildStatus } from "./statuses.ts";

/* Session ------------------------------------------------------------------------------ */

export { SignInRequest } from "./contract/identity.ts";

/**
 * `POST /api/session` → 200 (sets the httpOnly session cookie). `DELETE /api/session` → 204 signs
 * out: the engine revokes the session and the streams it opened end.
 */
export type SessionResponse = { user: SessionUser; csrfToken: string };

/** The engine's: who the caller is, their role in a project and what it lets them do. */
export type { Permissions, ProjectAccess, Role, SessionUser };

/** `GET /api/me` → 200, or 401 `unauthenticated` without a session. */
export type MeResponse = SessionResponse & { projects: ProjectAccess[] };

/* Pages -------------------------------------------------------------------------------- */

/** `GET /api/projects/{project}/pipelines` */
export type PipelinesResponse = { project: ProjectAccess; items: PipelineSummary[] };

/**
 * `GET /api/projects/{project}/pipelines/{pipeline}/history?status=A,B&branch=&cursor=&limit=`
 * One round trip for the history page.
 */
export type HistoryResponse = {
  pipeline: PipelineSummary & { cancelGraceSeconds: number };
  /** Newest first; `nextCursor` fetches the next (older) page. */
  builds: Page<Build>;
  /** Builds per status across all pages (for the branch filter, when one is given). */
  counts: StatusCounts;
  /**
   * Builds that can be canceled (QUEUED + RUNNING) across all pages and branches. The page counts
   * "Cancel all running (M)" from `counts` instead, which follow the branch filter.
   */
  activeCount: number;
  permissions: Permissions;
  /** The caller's bulk operations on this pipeline that are still running. */
  operations: Operation[];
};

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
  }),
  z.strictObject({
    filter: CancelFilter,
    excludeBuildIds: Excluded,
    snapshot: Snapshot,
    reason: Reason.optional(),
    force: z.boolean().optional(),
  }),
]);
export type CancellationRequest = z.infer<typeof CancellationRequest>;

/** `POST .../cancellations/preview` → 200 */
export type CancellationPreviewResponse = BatchPreview;

/**
 * `POST /api/projects/{project}/pipelines/{pipeline}/cancellations` (or project-wide
 * `/api/projects/{project}/cancellations`) → 202 `{operation}`. Send an `Idempotency-Key` header
 * (one per confirmed preview) so a double click makes one operation.
 */
export type CancellationResponse = { operation: Operation };

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
export type RerunPreviewResponse = BatchPreview;

/**
 * `POST /api/projects/{project}/pipelines/{pipeline}/reruns` (or project-wide
 * `/api/projects/{project}/reruns`) → 201 `{operation}`, already completed: each item `created`
 * (its note is the new build's `#number`) or `skipped`. Send an `Idempotency-Key` as with a cancel.
 */
export type RerunResponse = { operation: Operation };

/**
 * `GET /api/projects/{project}/operations?status=&source=&requestedBy=&pipeline=&cursor=&limit=`
 * (the engine's `OperationsQuery`): the project's bulk operations, newest first.
 */
export type OperationsResponse = Page<Operation>;

/**
 * `GET /api/projects/{project}/audit?actor=&action=&source=&cursor=&limit=` (maintainers and
 * admins; 403 `forbidden` otherwise), newest first. `GET /api/projects/{project}/audit.csv` with the
 * same filters downloads every matching entry as CSV.
 */
export type AuditResponse = Page<AuditEntry>;

/** `GET /api/operations/{id}` */
export type OperationResponse = { operation: Operation };

/** `GET /api/operations/{id}/items?outcome=&cursor=&limit=` */
export type OperationItemsResponse = Page<OperationItem>;

/** `GET /api/builds/{id}`. `POST /api/builds/{id}/cancel` `{reason?, force?}` → 202 `CancellationResponse`. */
export type BuildResponse = { build: BuildDetail; permissions: Permissions };

/* Streams ------------------------------------------------------------------------------ */

/**
 * `GET /api/operations/{id}/events` (SSE). Events:
 * - `progress`: `OperationStreamData` while running (coalesced);
 * - `completed`: `OperationStreamData` once, then the stream ends.
 * Each message has an `id:`; reconnecting with `Last-Event-ID` resumes without gaps or repeats.
 */
export type OperationStreamData = { operation: Operation };

/** One build's change, as the history page applies it to its rows. */
export type BuildChange = {
  id: number;
  number: number;
  branch: string;
  status: BuildStatus;
  from: BuildStatus | null;
  reason: string | null;
  operationId: string | null;
  by: string | null;
  at: string;
  /** True for a build that did not exist before (`build.created`). */
  created: boolean;
};

/**
 * `GET /api/projects/{project}/pipelines/{pipeline}/events` and `GET /api/projects/{project}/events`
 * (SSE). Bursts are coalesced: one `builds` message carries many changes (at most a few
 * messages a second), the last change per build wins. Events:
 * - `builds`: `BuildsStreamData`;
 * - `operation`: `OperationStreamData` for operations on the pipeline (coalesced progress);
 * - a `: heartbeat` comment every 15 s.
 * Reconnecting with `Last-Event-ID` catches up.
 */
export type BuildsStreamData = { pipeline: string; changes: BuildChange[] };

/**
 * `GET /api/projects/{project}/operations/events` (SSE): `operation` (`OperationStreamData`) each
 * time one of the project's operations starts or progresses (coalesced), and heartbeats. Resumes
 * with `Last-Event-ID`.
 */
export type OperationsStreamEvents = { operation: OperationStreamData };

/**
 * `GET /api/builds/{id}/log` (SSE): `chunk` events `{id, jobId, stream, text}` from the start (or
 * after `Last-Event-ID`), live while the build runs, then `end`.
 */
export type LogChunkData = { id: number; jobId: number; stream: "stdout" | "stderr" | "system"; text: string };
