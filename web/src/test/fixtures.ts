/** Builds, pages and operations for tests, with fields defaulted to something plausible. */
import type { BuildChange, HistoryResponse, Permissions, ProjectAccess } from "@common/bff-api.ts";
import type { BatchPreview, Build, Operation } from "@common/dto.ts";
import type { BuildStatus } from "@common/statuses.ts";

/** The developer's access to project "demo", as `GET /api/me` lists it; `permissions` override theirs. */
export function projectAccess(
  permissions: Partial<Permissions> = {},
  overrides: Partial<ProjectAccess> = {},
): ProjectAccess {
  return {
    name: "demo",
    displayName: "Demo",
    createdAt: "2024-05-01T09:00:00.000Z",
    protectedBranches: [],
    bulkCancel: { minimumRole: "developer", confirmAbove: 100, confirmStages: [] },
    role: "developer",
    permissions: { canRead: true, canTrigger: true, canCancel: true, canEdit: false, canAudit: false, ...permissions },
    ...overrides,
  };
}

export function build(number: number, status: BuildStatus, overrides: Partial<Build> = {}): Build {
  return {
    id: 1000 + number,
    project: "demo",
    pipeline: "web-app",
    number,
    status,
    branch: number % 2 === 0 ? "main" : `feature/${number}`,
    commit: `abcdef${number}`.padEnd(40, "0"),
    params: {},
    triggeredBy: "alice",
    concurrencyGroup: null,
    statusReason: null,
    createdAt: "2024-05-01T10:00:00.000Z",
    startedAt: status === "QUEUED" ? null : "2024-05-01T10:00:05.000Z",
    finishedAt: ["QUEUED", "RUNNING", "CANCELING"].includes(status) ? null : "2024-05-01T10:03:05.000Z",
    ...overrides,
  };
}

export function historyPage(builds: Build[], overrides: Partial<HistoryResponse> = {}): HistoryResponse {
  const counts = { QUEUED: 0, RUNNING: 0, CANCELING: 0, SUCCEEDED: 0, FAILED: 0, CANCELED: 0, TIMED_OUT: 0 };
  for (const b of builds) counts[b.status] += 1;
  return {
    pipeline: {
      project: "demo",
      name: "web-app",
      createdAt: "2024-05-01T09:00:00.000Z",
      updatedAt: "2024-05-01T09:00:00.000Z",
      active: { queued: counts.QUEUED, running: counts.RUNNING, canceling: counts.CANCELING },
      lastBuild: builds[0] ?? null,
      cancelGraceSeconds: 10,
      params: {},
    },
    builds: { items: builds, nextCursor: null },
    counts,
    activeCount: counts.QUEUED + counts.RUNNING,
    permissions: { canRead: true, canTrigger: true, canCancel: true, canEdit: false, canAudit: false },
    operations: [],
    ...overrides,
  };
}

export function operation(overrides: Partial<Operation> & Pick<Operation, "total">): Operation {
  return {
    id: "op-1",
    kind: "cancel",
    status: "running",
    source: "user",
    scope: "pipeline",
    project: "demo",
    pipeline: "web-app",
    selection: null,
    requestedBy: "alice",
    reason: null,
    counts: {
      canceled: 0,
      alreadyFinished: 0,
      failed: 0,
      pending: overrides.total,
      protected: 0,
      created: 0,
      skipped: 0,
    },
    createdAt: "2024-05-01T10:05:00.000Z",
    completedAt: null,
    rerunBy: null,
    rerunOf: null,
    ...overrides,
  };
}

export function change(
  b: Pick<Build, "id" | "number" | "branch">,
  status: BuildStatus,
  extra: Partial<BuildChange> = {},
): BuildChange {
  return {
    id: b.id,
    number: b.number,
    branch: b.branch,
    status,
    from: null,
    reason: null,
    operationId: null,
    by: null,
    at: "2024-05-01T10:06:00.000Z",
    created: false,
    ...extra,
  };
}

/** A server preview of a bulk action: `total` builds of the given statuses, the newest first. */
export function batchPreview(
  byStatus: Partial<Record<BuildStatus, number>>,
  overrides: Partial<BatchPreview> = {},
): BatchPreview {
  const counts = {
    QUEUED: 0,
    RUNNING: 0,
    CANCELING: 0,
    SUCCEEDED: 0,
    FAILED: 0,
    CANCELED: 0,
    TIMED_OUT: 0,
    ...byStatus,
  };
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const newest = 100 + total;
  return {
    total,
    byStatus: counts,
    protected: 0,
    byPipeline: { "web-app": total },
    first: Array.from({ length: Math.min(20, total) }, (_, i) => build(newest - i, "RUNNING", { branch: "main" })),
    upTo: { "web-app": newest },
    snapshot: "snapshot-1",
    expiresAt: "2024-05-01T10:15:00.000Z",
    kept: 0,
    keptBuilds: [],
    keptKeys: 0,
    leftOut: { protectedBranches: 0, patterns: [], included: false },
    ...overrides,
  };
}
