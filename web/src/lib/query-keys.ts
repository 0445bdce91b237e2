/**
 * Every react-query key in one place. Features own their fetchers, but invalidation crosses
 * features (a cancellation refreshes a pipeline's counts), so the key vocabulary is shared.
 * Prefixes are chosen so that invalidating an aggregate never refetches a long history.
 */

import type { OperationKind, OperationSource, OperationStatus } from "@common/constants.ts";
import type { BuildTriggerKind } from "@common/contract/builds.ts";
import type { BuildStatus } from "@common/statuses.ts";
import type { BulkAction } from "./bulk-action.ts";

/** `trigger` and `pullRequest` are left out when not filtered on (one cache entry for "no filter"). */
export type HistoryFilters = {
  status: BuildStatus[];
  branch: string;
  trigger?: BuildTriggerKind;
  pullRequest?: number;
};

/** Filtered by what triggered the builds: a view the engine's bulk filters cannot express. */
export function byTrigger(filters: HistoryFilters): boolean {
  return filters.trigger !== undefined || filters.pullRequest !== undefined;
}
export type OperationFilters = { source: OperationSource[]; requestedBy: string; status: OperationStatus | "" };
export type AuditFilters = { actor: string; action: OperationKind | "" };

export const queryKeys = {
  me: () => ["me"] as const,
  pipelineList: (project: string) => ["pipeline-list", project] as const,
  /** Every history query of a pipeline: its rows (per filter) and its summary. */
  history: (project: string, pipeline: string) => ["history", project, pipeline] as const,
  historyRows: (project: string, pipeline: string, filters?: HistoryFilters) =>
    filters === undefined
      ? (["history", project, pipeline, "rows"] as const)
      : (["history", project, pipeline, "rows", filters] as const),
  historySummary: (project: string, pipeline: string, branch?: string) =>
    branch === undefined
      ? (["history", project, pipeline, "summary"] as const)
      : (["history", project, pipeline, "summary", branch] as const),
  /** Not fetched: the build changes the page's stream delivered lately (features/history/utils/streamed-changes.ts). */
  streamedChanges: (project: string, pipeline: string) => ["streamed-changes", project, pipeline] as const,
  build: (id: number) => ["build", id] as const,
  /** Which build a number names in a pipeline (for good: numbers are never reused). */
  buildNumber: (project: string, pipeline: string, number: number) =>
    ["build-number", project, pipeline, number] as const,
  /** A project's webhooks; their delivery logs and deliveries sit under it. */
  webhooks: (project: string) => ["webhooks", project] as const,
  webhookDeliveries: (project: string, id: number) => ["webhooks", project, id, "deliveries"] as const,
  webhookDelivery: (project: string, id: number, deliveryId: number) =>
    ["webhooks", project, id, "deliveries", deliveryId] as const,
  /** A project's repositories; their inbound delivery logs sit under it. */
  repositories: (project: string) => ["repositories", project] as const,
  hookDeliveries: (project: string, repository: string) => ["repositories", project, repository, "deliveries"] as const,
  operation: (id: string) => ["operation", id] as const,
  /** What a bulk action would reach (pipeline null: project-wide); never refetched behind the reader's back. */
  bulkPreview: (kind: BulkAction["kind"], project: string, pipeline: string | null, request: BulkAction["request"]) =>
    ["bulk-preview", kind, project, pipeline, request] as const,
  /** A project's operations list, per filter (the operations centre). */
  operations: (project: string, filters?: OperationFilters) =>
    filters === undefined ? (["operations", project] as const) : (["operations", project, filters] as const),
  audit: (project: string, filters?: AuditFilters) =>
    filters === undefined ? (["audit", project] as const) : (["audit", project, filters] as const),
  operationItems: (id: string, outcome?: string) =>
    outcome === undefined ? (["operation", id, "items"] as const) : (["operation", id, "items", outcome] as const),
};
