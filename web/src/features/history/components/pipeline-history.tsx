import type { HistoryResponse } from "@common/bff-api.ts";
import type { Operation } from "@common/dto.ts";
import { ACTIVE_STATUSES, CANCELABLE_STATUSES } from "@common/statuses.ts";
import { Flex, Space, Typography } from "antd";
import { useEffect, useMemo, useRef } from "react";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { LoadMore } from "../../../components/load-more.tsx";
import { ErrorState } from "../../../components/query-states.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { byTrigger, type HistoryFilters as Filters } from "../../../lib/query-keys.ts";
import { useHistory, useHistorySummary } from "../api/get-history.ts";
import { useBuildSelection } from "../hooks/use-build-selection.ts";
import { useHistoryEvents } from "../hooks/use-history-events.ts";
import { useHistoryFilters } from "../hooks/use-history-filters.ts";
import { cancelFilterOf, cancelTargets, rerunTargets } from "../utils/bulk-targets.ts";
import { GoToBuild } from "./go-to-build.tsx";
import { HistoryFilters } from "./history-filters.tsx";
import { HistoryTable } from "./history-table.tsx";
import { HistoryToolbar } from "./history-toolbar.tsx";
import { RunBuild } from "./run-build.tsx";
import { SelectAllBar } from "./select-all-bar.tsx";

type Props = {
  project: string;
  pipeline: string;
  /**
   * Asks for a bulk action on these builds: the page previews it, confirms it and follows it.
   * `onAccepted` is called once the server accepted it (the selection it came from is done).
   */
  onBulkAction: (action: BulkAction, onAccepted: () => void) => void;
  /** The caller's operations still running on this pipeline, e.g. after a reload. */
  onRunningOperations?: (operations: Operation[]) => void;
};

/** The heart of Sluice: a pipeline's builds, live, with selection, bulk cancel and re-run. */
export function PipelineHistory({ project, pipeline, onBulkAction, onRunningOperations }: Props) {
  const { t } = useI18n();
  const [filters, setFilters] = useHistoryFilters();
  const rows = useHistory(project, pipeline, filters);
  const summary = useHistorySummary(project, pipeline, filters.branch, !rows.isPending);
  const stream = useHistoryEvents(project, pipeline);

  const builds = useMemo(() => rows.data?.pages.flatMap((page) => page.builds.items) ?? [], [rows.data]);
  const branches = useMemo(() => [...new Set(builds.map((b) => b.branch))], [builds]);
  const filtered = filters.status.length > 0 || filters.branch !== "" || byTrigger(filters);
  const cancelFilter = useMemo(() => cancelFilterOf(filters), [filters]);
  // Counts follow status and branch only: a view filtered by trigger offers no "select all N matching"
  // (N is not known here), but "Cancel all running" does act on all of them (its preview counts them).
  const uncounted = byTrigger(filters);
  const totalMatching = uncounted ? 0 : activeMatching(summary.data, filters);
  const permissions = summary.data?.permissions;
  // Other filters show other rows: a selection made on the old ones would act on builds out of sight.
  const selection = useBuildSelection(builds, totalMatching, {
    canCancel: permissions?.canCancel ?? false,
    canTrigger: permissions?.canTrigger ?? false,
    resetKey: `${filters.status.join(",")}|${filters.branch}|${filters.trigger ?? ""}|${filters.pullRequest ?? ""}`,
  });

  const offered = useRef(new Set<string>());
  const running = summary.data?.operations;
  useEffect(() => {
    const fresh = running?.filter((op) => op.status === "running" && !offered.current.has(op.id)) ?? [];
    for (const op of fresh) offered.current.add(op.id);
    if (fresh.length > 0) onRunningOperations?.(fresh);
  }, [running, onRunningOperations]);

  const cancelSelected = () => {
    const request = cancelTargets(selection.state, selection.rows, cancelFilter);
    if (request) onBulkAction({ kind: "cancel", request }, selection.clear);
  };
  const rerunSelected = () => {
    const request = rerunTargets(selection.state, selection.rows);
    if (request) onBulkAction({ kind: "rerun", request }, selection.clear);
  };
  const cancelAll = () => {
    if (cancelFilter) onBulkAction({ kind: "cancel", request: { filter: cancelFilter } }, selection.clear);
  };
  const cancelAllButNewest = () => {
    if (!cancelFilter) return;
    const filter = { ...cancelFilter, keepNewest: { per: "branch" as const, count: 1 } };
    onBulkAction({ kind: "cancel", request: { filter } }, selection.clear);
  };

  // A failed refresh (the server briefly away) keeps the rows on screen; only a failed first load replaces them.
  if (rows.isError && !rows.data) return <ErrorState error={rows.error} onRetry={() => void rows.refetch()} />;

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space size="middle" wrap>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
            {pipeline}
          </Typography.Title>
          <ActiveCounts summary={summary.data} />
        </Space>
        <Flex align="center" gap={8} wrap>
          <GoToBuild project={project} pipeline={pipeline} />
          <RunBuild
            project={project}
            pipeline={pipeline}
            params={summary.data?.pipeline.params ?? {}}
            canTrigger={permissions?.canTrigger ?? false}
          />
          <LiveBadge state={stream} />
        </Flex>
      </Flex>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <HistoryFilters filters={filters} onChange={setFilters} counts={summary.data?.counts} branches={branches} />
        <HistoryToolbar
          selectedCount={selection.view.count}
          cancelCount={selection.view.cancelCount}
          rerunCount={selection.view.rerunCount}
          activeCount={uncounted ? null : totalMatching}
          // Until the summary arrives nothing is selectable anyway; do not claim a missing permission.
          canCancel={permissions?.canCancel ?? true}
          canTrigger={permissions?.canTrigger ?? true}
          onCancelSelected={cancelSelected}
          onRerunSelected={rerunSelected}
          onCancelAll={cancelAll}
          onCancelAllButNewest={cancelAllButNewest}
        />
      </Flex>
      <SelectAllBar
        selection={selection.view}
        pageCount={selection.rows.filter((row) => row.action === "cancel").length}
        totalMatching={totalMatching}
        filtered={filtered}
        onSelectAllMatching={selection.selectAllMatching}
        onClear={selection.clear}
      />
      <HistoryTable
        builds={builds}
        selection={selection.store}
        canCancel={permissions?.canCancel}
        canTrigger={permissions?.canTrigger}
        onToggle={selection.toggle}
        onTogglePage={selection.togglePage}
        loading={rows.isPending}
        emptyText={filtered ? t.history.emptyFiltered : t.history.empty}
      />
      {builds.length > 0 && (
        <LoadMore
          hasMore={rows.hasNextPage}
          loading={rows.isFetchingNextPage}
          onLoad={() => void rows.fetchNextPage()}
          label={t.history.loadOlder}
          doneLabel={t.history.allLoaded(builds.length)}
        />
      )}
    </Flex>
  );
}

function ActiveCounts({ summary }: { summary: HistoryResponse | undefined }) {
  if (!summary) return null;
  return (
    <Space size={4} wrap>
      {ACTIVE_STATUSES.filter((status) => summary.counts[status] > 0).map((status) => (
        <StatusTag key={status} status={status} count={summary.counts[status]} />
      ))}
    </Space>
  );
}

/**
 * Active builds the filters match, on every page: the "Cancel all running (M)" and "Select all M"
 * number, and what the preview of that cancel counts. Counts follow the branch (the server counts
 * per branch); the status filter picks which of them.
 */
function activeMatching(summary: HistoryResponse | undefined, filters: Filters): number {
  if (!summary) return 0;
  return CANCELABLE_STATUSES.filter((s) => filters.status.length === 0 || filters.status.includes(s)).reduce(
    (sum, status) => sum + summary.counts[status],
    0,
  );
}
