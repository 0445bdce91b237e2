import { DownloadOutlined } from "@ant-design/icons";
import { OPERATION_KINDS } from "@common/constants.ts";
import type { AuditEntry } from "@common/dto.ts";
import { Button, Flex, Select, Table, type TableColumnsType, Tooltip, Typography } from "antd";
import dayjs from "dayjs";
import { useMemo } from "react";
import { Link } from "react-router";
import { CountsBar } from "../../../components/counts-bar.tsx";
import { LoadMore } from "../../../components/load-more.tsx";
import { OperationStatusTag } from "../../../components/operation-status-tag.tsx";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { TextFilter } from "../../../components/text-filter.tsx";
import { buildPath } from "../../../lib/build-path.ts";
import { reasonText } from "../../../lib/cancel-note.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { auditCsvUrl, useAudit } from "../api/get-audit.ts";
import { useAuditFilters } from "../hooks/use-audit-filters.ts";

/** Who did what, when and from where, with links to the operations and builds; filters and a CSV export. */
export function AuditLog({ project }: { project: string }) {
  const { t, language } = useI18n();
  const [filters, setFilters] = useAuditFilters();
  const audit = useAudit(project, filters);
  const entries = useMemo(() => audit.data?.pages.flatMap((page) => page.items) ?? [], [audit.data]);
  const columns = useMemo(() => buildColumns(t), [t]);
  const filtered = filters.actor !== "" || filters.action !== "";

  return (
    <Flex vertical gap={16}>
      <div>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
          {t.audit.title}
        </Typography.Title>
        <Typography.Text type="secondary">{t.audit.intro}</Typography.Text>
      </div>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Flex gap={8} wrap align="center" role="group" aria-label={t.history.filters}>
          <TextFilter
            label={t.audit.actorFilter}
            placeholder={t.audit.actorPlaceholder}
            value={filters.actor}
            onChange={(actor) => setFilters({ actor })}
            suggestions={entries.map((e) => e.actor)}
          />
          <Select
            allowClear
            aria-label={t.audit.actionFilter}
            placeholder={t.audit.allActions}
            style={{ minWidth: 160 }}
            value={filters.action || undefined}
            onChange={(action) => setFilters({ action: action ?? "" })}
            options={OPERATION_KINDS.map((a) => ({ value: a, label: t.audit.actions[a] }))}
          />
          {filtered && (
            <Button type="link" onClick={() => setFilters({ actor: "", action: "" })}>
              {t.history.clearFilters}
            </Button>
          )}
        </Flex>
        <Tooltip title={t.audit.exportHint}>
          <Button icon={<DownloadOutlined aria-hidden />} href={auditCsvUrl(project, filters)} download>
            {t.audit.exportCsv}
          </Button>
        </Tooltip>
      </Flex>
      {audit.isError && !audit.data ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : (
        <>
          <Table<AuditEntry>
            key={language}
            aria-label={t.audit.table}
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={entries}
            loading={audit.isPending}
            pagination={false}
            // Fits a 1366 px screen whole; narrower ones scroll the table, not the page.
            scroll={{ x: 1250 }}
            locale={{ emptyText: <EmptyState>{filtered ? t.audit.emptyFiltered : t.audit.empty}</EmptyState> }}
          />
          {entries.length > 0 && (
            <LoadMore
              hasMore={audit.hasNextPage}
              loading={audit.isFetchingNextPage}
              onLoad={() => void audit.fetchNextPage()}
              label={t.audit.loadOlder}
            />
          )}
        </>
      )}
    </Flex>
  );
}

function buildColumns(t: Messages): TableColumnsType<AuditEntry> {
  return [
    {
      key: "time",
      title: t.audit.time,
      width: 170,
      fixed: "left",
      render: (_, e) => <time dateTime={e.createdAt}>{dayjs(e.createdAt).format(t.time.exact)}</time>,
    },
    { key: "actor", title: t.audit.actor, width: 120, ellipsis: true, render: (_, e) => e.actor },
    {
      key: "action",
      title: t.audit.action,
      width: 120,
      // A forced cancel (Force stop now, a second cancel) says so: who forced what.
      render: (_, e) => (e.forced ? t.audit.forcedAction(t.audit.actions[e.action]) : t.audit.actions[e.action]),
    },
    { key: "source", title: t.audit.source, width: 120, render: (_, e) => t.operations.sources[e.source] },
    {
      key: "target",
      title: t.audit.target,
      width: 180,
      render: (_, e) =>
        e.build ? (
          <Link
            to={
              e.pipeline
                ? buildPath({ project: e.project, pipeline: e.pipeline, number: e.build.number })
                : `/builds/${e.build.id}`
            }
          >
            {e.pipeline ? t.audit.targetBuild(e.pipeline, e.build.number) : `#${e.build.number}`}
          </Link>
        ) : e.pipeline ? (
          t.audit.targetBuilds(e.pipeline, e.targets)
        ) : (
          t.audit.targetProjectBuilds(e.targets)
        ),
    },
    {
      key: "outcome",
      title: t.audit.outcome,
      width: 240,
      render: (_, e) => (
        <Flex gap={8} align="center">
          <OperationStatusTag kind={e.action} status={e.outcome.status} counts={e.outcome} />
          <CountsBar kind={e.action} counts={e.outcome} total={e.targets} />
        </Flex>
      ),
    },
    {
      key: "reason",
      title: t.audit.reason,
      width: 180,
      ellipsis: true,
      render: (_, e) => reasonText(e.reason, t) ?? t.common.none,
    },
    {
      key: "operation",
      title: t.audit.operation,
      width: 140,
      render: (_, e) => <Link to={`/operations/${encodeURIComponent(e.operationId)}`}>{t.operations.view}</Link>,
    },
  ];
}
