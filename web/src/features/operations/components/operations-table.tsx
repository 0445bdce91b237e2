import type { Operation } from "@common/dto.ts";
import { Flex, Table, type TableColumnsType, Typography } from "antd";
import { useMemo } from "react";
import { Link } from "react-router";
import { CountsBar } from "../../../components/counts-bar.tsx";
import { Duration } from "../../../components/duration.tsx";
import { OperationStatusTag } from "../../../components/operation-status-tag.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { reasonText } from "../../../lib/cancel-note.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { operationSelection, operationSource, operationTitle } from "../utils/describe-operation.ts";

type Props = {
  operations: readonly Operation[];
  loading: boolean;
  emptyText: React.ReactNode;
};

export function OperationsTable({ operations, loading, emptyText }: Props) {
  const { t, language } = useI18n();
  const columns = useMemo(() => buildColumns(t), [t]);
  return (
    <Table<Operation>
      key={language}
      aria-label={t.operations.table}
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={operations as Operation[]}
      loading={loading}
      pagination={false}
      locale={{ emptyText }}
      // Fits a 1366 px screen whole; narrower ones scroll the table, not the page.
      scroll={{ x: 1280 }}
    />
  );
}

function buildColumns(t: Messages): TableColumnsType<Operation> {
  return [
    {
      key: "operation",
      title: t.operations.operation,
      width: 240,
      fixed: "left",
      render: (_, op) => <Link to={`/operations/${encodeURIComponent(op.id)}`}>{operationTitle(op, t)}</Link>,
    },
    {
      key: "scope",
      title: t.operations.scope,
      width: 240,
      render: (_, op) => (
        <Flex vertical>
          {op.pipeline ? (
            <Link to={`/projects/${encodeURIComponent(op.project)}/pipelines/${encodeURIComponent(op.pipeline)}`}>
              {op.pipeline}
            </Link>
          ) : (
            <span>{t.operations.scopes.project(op.project)}</span>
          )}
          <Typography.Text type="secondary">{operationSelection(op, t)}</Typography.Text>
        </Flex>
      ),
    },
    {
      key: "source",
      title: t.operations.source,
      width: 120,
      render: (_, op) => operationSource(op, t),
    },
    {
      key: "reason",
      title: t.operations.reason,
      width: 160,
      ellipsis: true,
      render: (_, op) => reasonText(op.reason, t) ?? t.common.none,
    },
    {
      key: "progress",
      title: t.operations.progressColumn,
      width: 150,
      render: (_, op) => <CountsBar kind={op.kind} counts={op.counts} total={op.total} />,
    },
    {
      key: "status",
      title: t.operations.status,
      width: 130,
      render: (_, op) => <OperationStatusTag kind={op.kind} status={op.status} counts={op.counts} />,
    },
    {
      key: "started",
      title: t.operations.created,
      width: 140,
      render: (_, op) => <RelativeTime value={op.createdAt} />,
    },
    {
      key: "duration",
      title: t.operations.duration,
      width: 100,
      render: (_, op) => <Duration from={op.createdAt} to={op.completedAt} />,
    },
  ];
}
