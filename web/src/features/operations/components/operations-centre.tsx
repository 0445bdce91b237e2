import { OPERATION_SOURCES, OPERATION_STATUSES, type OperationSource } from "@common/constants.ts";
import { Button, Flex, Select, Typography } from "antd";
import { useMemo } from "react";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { LoadMore } from "../../../components/load-more.tsx";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { TextFilter } from "../../../components/text-filter.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useOperations } from "../api/get-operations.ts";
import { useOperationFilters } from "../hooks/use-operation-filters.ts";
import { useOperationsEvents } from "../hooks/use-operations-events.ts";
import { OperationsTable } from "./operations-table.tsx";

/** Every bulk operation of a project, newest first, filtered, live while operations run. */
export function OperationsCentre({ project }: { project: string }) {
  const { t } = useI18n();
  const [filters, setFilters] = useOperationFilters();
  const list = useOperations(project, filters);
  const stream = useOperationsEvents(project);
  const operations = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const filtered = filters.source.length > 0 || filters.requestedBy !== "" || filters.status !== "";

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
            {t.operations.centre}
          </Typography.Title>
          <Typography.Text type="secondary">{t.operations.centreIntro}</Typography.Text>
        </div>
        <LiveBadge state={stream} />
      </Flex>
      <Flex gap={8} wrap align="center" role="group" aria-label={t.history.filters}>
        <Select<OperationSource[]>
          mode="multiple"
          allowClear
          aria-label={t.operations.sourceFilter}
          placeholder={t.operations.allSources}
          style={{ minWidth: 220 }}
          value={filters.source}
          onChange={(source) => setFilters({ source })}
          options={OPERATION_SOURCES.map((s) => ({ value: s, label: t.operations.sources[s] }))}
        />
        <TextFilter
          label={t.operations.whoFilter}
          placeholder={t.operations.whoPlaceholder}
          value={filters.requestedBy}
          onChange={(requestedBy) => setFilters({ requestedBy })}
          suggestions={operations.map((op) => op.requestedBy)}
        />
        <Select
          allowClear
          aria-label={t.operations.statusFilter}
          placeholder={t.operations.allStatuses}
          style={{ minWidth: 160 }}
          value={filters.status || undefined}
          onChange={(status) => setFilters({ status: status ?? "" })}
          options={OPERATION_STATUSES.map((s) => ({ value: s, label: t.operations.statuses[s] }))}
        />
        {filtered && (
          <Button type="link" onClick={() => setFilters({ source: [], requestedBy: "", status: "" })}>
            {t.history.clearFilters}
          </Button>
        )}
      </Flex>
      {list.isError && !list.data ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <OperationsTable
            operations={operations}
            loading={list.isPending}
            emptyText={<EmptyState>{filtered ? t.operations.emptyFiltered : t.operations.empty}</EmptyState>}
          />
          {operations.length > 0 && (
            <LoadMore
              hasMore={list.hasNextPage}
              loading={list.isFetchingNextPage}
              onLoad={() => void list.fetchNextPage()}
              label={t.operations.loadOlder}
              doneLabel={t.operations.allLoaded(operations.length)}
            />
          )}
        </>
      )}
    </Flex>
  );
}
