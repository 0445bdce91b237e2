import { useQuery } from "@tanstack/react-query";
import { Flex, Space, Typography } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import type { CancellationRequest, HistoryResponse } from "../../../../../common/bff-api.ts";
import type { Build, Operation } from "../../../../../common/dto.ts";
import { ACTIVE_STATUSES, CANCELABLE_STATUSES } from "../../../../../common/statuses.ts";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { LoadMore } from "../../../components/load-more.tsx";
import { ErrorState } from "../../../components/query-states.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import type { HistoryFilters as Filters } from "../../../lib/query-keys.ts";
import { cancelableBuildsQueryOptions, useHistory, useHistorySummary } from "../api/get-history.ts";
import { isCancelable, useBuildSelection } from "../hooks/use-build-selection.ts";
import { useHistoryEvents } from "../hooks/use-history-events.ts";
import { useHistoryFilters } from "../hooks/use-history-filters.ts";
import { CancelDialog, type PreviewBuild } from "./cancel-dialog.tsx";
import { HistoryFilters } from "./history-filters.tsx";
import { HistoryTable } from "./history-table.tsx";
import { HistoryToolbar } from "./history-toolbar.tsx";
import { SelectAllBar } from "./select-all-bar.tsx";

type Props = {
  project: string;
  pipeline: string;
  /** Sends the cancel; resolves once the server accepted it (the caller follows the operation). */
  onCancel: (request: CancellationRequest, idempotencyKey: string) => Promise<unknown>;
  /** The caller's operations still running on this pipeline, e.g. after a reload. */
  onRunningOperations?: (operations: Operation[]) => void;
};

type ByStatus = { running: number; queued: number };

/** What the open dialog cancels, frozen when it opened. */
type Scope =
  | { kind: "ids"; ids: number[]; preview: PreviewBuild[]; byStatus: ByStatus }
  | { kind: "allActive"; count: number; byStatus: ByStatus | null };

/** The heart of Sluice: a pipeline's builds, live, with selection and bulk cancel. */
export function PipelineHistory({ project, pipeline, onCancel, onRunningOperations }: Props) {
  const { t } = useI18n();
  const [filters, setFilters] = useHistoryFilters();
  const rows = useHistory(project, pipeline, filters);
  const summary = useHistorySummary(project, pipeline, filters.branch, !rows.isPending);
  const stream = useHistoryEvents(project, pipeline);

  const builds = useMemo(() => rows.data?.pages.flatMap((page) => page.builds.items) ?? [], [rows.data]);
  const branches = useMemo(() => [...new Set(builds.map((b) => b.branch))], [builds]);
  const filtered = filters.status.length > 0 || filters.branch !== "";
  const totalActive = activeInScope(summary.data, filters);
  const permissions = summary.data?.permissions;
  // Until the summary says what the user may do, nothing is selectable: never tick what cannot be canceled.
  const canCancel = permissions?.canCancel ?? false;
  // Other filters show other rows: a selection made on the old ones would cancel builds out of sight.
  const selection = useBuildSelection(builds, totalActive, {
    canCancel,
    resetKey: `${filters.status.join(",")}|${filters.branch}`,
  });
  const [scope, setScope] = useState<Scope | null>(null);

  const offered = useRef(new Set<string>());
  const running = summary.data?.operations;
  useEffect(() => {
    const fresh = running?.filter((op) => op.status === "running" && !offered.current.has(op.id)) ?? [];
    for (const op of fresh) offered.current.add(op.id);
    if (fresh.length > 0) onRunningOperations?.(fresh);
  }, [running, onRunningOperations]);

  const visibleCancelable = builds.filter(isCancelable);
  const allActiveScope = (): Scope => ({
    kind: "allActive",
    count: totalActive,
    byStatus: summary.data ? { running: summary.data.counts.RUNNING, queued: summary.data.counts.QUEUED } : null,
  });
  const openSelected = () => {
    if (selection.view.allActive) return setScope(allActiveScope());
    const ids = [...(selection.state.mode === "ids" ? selection.state.ids : [])];
    const chosen = new Set(ids);
    const targets = builds.filter((b) => chosen.has(b.id));
    setScope({ kind: "ids", ids, preview: targets.map(toPreview), byStatus: countByStatus(targets) });
  };

  const confirm = async (request: CancellationRequest, key: string) => {
    await onCancel(request, key);
    selection.clear();
    setScope(null);
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
        <LiveBadge state={stream} />
      </Flex>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <HistoryFilters filters={filters} onChange={setFilters} counts={summary.data?.counts} branches={branches} />
        <HistoryToolbar
          selectedCount={selection.view.count}
          activeCount={totalActive}
          // Until the summary arrives nothing is selectable anyway; do not claim a missing permission.
          canCancel={permissions?.canCancel ?? true}
          onCancelSelected={openSelected}
          onCancelAll={() => setScope(allActiveScope())}
        />
      </Flex>
      <SelectAllBar
        selection={selection.view}
        pageCount={visibleCancelable.length}
        totalActive={totalActive}
        onSelectAllActive={selection.selectAllActive}
        onClear={selection.clear}
      />
      <HistoryTable
        builds={builds}
        selection={selection.store}
        canCancel={permissions?.canCancel}
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
      {scope?.kind === "ids" && (
        <CancelDialog
          count={scope.ids.length}
          byStatus={scope.byStatus}
          preview={scope.preview}
          offScreen={scope.ids.length - scope.preview.length}
          onClose={() => setScope(null)}
          onConfirm={(reason, key) => confirm({ buildIds: scope.ids, reason }, key)}
        />
      )}
      {scope?.kind === "allActive" &&
        (filtered ? (
          <FilteredAllActiveDialog
            project={project}
            pipeline={pipeline}
            filters={filters}
            visible={builds}
            onClose={() => setScope(null)}
            onConfirm={confirm}
          />
        ) : (
          <CancelDialog
            count={scope.count}
            byStatus={scope.byStatus}
            preview={visibleCancelable.map(toPreview)}
            offScreen={Math.max(0, scope.count - visibleCancelable.length)}
            onClose={() => setScope(null)}
            onConfirm={(reason, key) => confirm({ allActive: true, reason }, key)}
          />
        ))}
    </Flex>
  );
}

/**
 * "All active builds" under a filter: the cancel request cannot carry a filter, and `allActive`
 * would sweep in builds the user filtered out, so the matching builds are listed first and sent by id.
 */
function FilteredAllActiveDialog({
  project,
  pipeline,
  filters,
  visible,
  onClose,
  onConfirm,
}: {
  project: string;
  pipeline: string;
  filters: Filters;
  visible: readonly Build[];
  onClose: () => void;
  onConfirm: (request: CancellationRequest, key: string) => Promise<void>;
}) {
  const targets = useQuery(cancelableBuildsQueryOptions(project, pipeline, filters));
  const onScreen = new Set(visible.map((b) => b.id));
  const ids = targets.data?.map((b) => b.id) ?? [];
  return (
    <CancelDialog
      count={targets.data ? ids.length : null}
      byStatus={targets.data ? countByStatus(targets.data) : null}
      preview={targets.data?.map(toPreview) ?? []}
      offScreen={ids.filter((id) => !onScreen.has(id)).length}
      loadError={targets.error ?? undefined}
      onClose={onClose}
      onConfirm={(reason, key) => onConfirm({ buildIds: ids, reason }, key)}
    />
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

/** Active builds the "all active" scope covers: all of them unfiltered, else the cancelable ones matching. */
function activeInScope(summary: HistoryResponse | undefined, filters: Filters): number {
  if (!summary) return 0;
  if (filters.status.length === 0 && filters.branch === "") return summary.activeCount;
  return CANCELABLE_STATUSES.filter((s) => filters.status.length === 0 || filters.status.includes(s)).reduce(
    (sum, status) => sum + summary.counts[status],
    0,
  );
}

function countByStatus(builds: readonly Build[]): ByStatus {
  let running = 0;
  let queued = 0;
  for (const build of builds) {
    if (build.status === "RUNNING") running++;
    else if (build.status === "QUEUED") queued++;
  }
  return { running, queued };
}

function toPreview(build: Build): PreviewBuild {
  return { id: build.id, number: build.number, branch: build.branch };
}
