import { type ItemOutcome, KIND_OUTCOMES, type OperationKind } from "@common/constants.ts";
import type { OperationItem } from "@common/dto.ts";
import { Flex, Segmented, Table, type TableColumnsType, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { LoadMore } from "../../../components/load-more.tsx";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { itemNote } from "../../../lib/cancel-note.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useOperationItems } from "../api/get-operation-items.ts";

const OUTCOME_COLOURS: Record<ItemOutcome, "secondary" | "success" | "warning" | "danger"> = {
  pending: "secondary",
  canceled: "success",
  already_finished: "warning",
  failed: "danger",
  protected: "warning",
  created: "success",
  skipped: "warning",
};

/**
 * `running`: outcomes still change, so the list refreshes until the operation completes. The
 * outcome filter offers the outcomes of the operation's kind only (a cancel creates nothing).
 */
export function OperationItemsTable({ id, kind, running }: { id: string; kind: OperationKind; running: boolean }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<ItemOutcome | "all">("all");
  const items = useOperationItems(id, outcome === "all" ? undefined : outcome, running);
  const rows = useMemo(() => items.data?.pages.flatMap((page) => page.items) ?? [], [items.data]);
  const columns = useMemo(() => buildColumns(t), [t]);

  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0, fontSize: 20 }}>
          {t.operations.items}
        </Typography.Title>
        <Segmented<ItemOutcome | "all">
          aria-label={t.operations.outcomeFilter}
          value={outcome}
          onChange={setOutcome}
          options={[
            { value: "all", label: t.operations.allOutcomes },
            ...(["pending", ...KIND_OUTCOMES[kind]] as const).map((o) => ({
              value: o,
              label: t.operations.outcomes[o],
            })),
          ]}
        />
      </Flex>
      {items.isError && !items.data ? (
        <ErrorState error={items.error} onRetry={() => void items.refetch()} />
      ) : (
        <>
          <Table<OperationItem>
            aria-label={t.operations.items}
            rowKey="buildId"
            size="middle"
            pagination={false}
            loading={items.isPending}
            columns={columns}
            dataSource={rows}
            locale={{ emptyText: <EmptyState>{t.operations.noItems}</EmptyState> }}
          />
          <LoadMore
            hasMore={items.hasNextPage}
            loading={items.isFetchingNextPage}
            onLoad={() => void items.fetchNextPage()}
            label={t.common.loadMore}
          />
        </>
      )}
    </Flex>
  );
}

function buildColumns(t: Messages): TableColumnsType<OperationItem> {
  return [
    {
      key: "build",
      title: t.history.number,
      width: 100,
      render: (_, item) => <Link to={`/builds/${item.buildId}`}>#{item.buildNumber}</Link>,
    },
    { key: "branch", title: t.history.branch, dataIndex: "branch", ellipsis: true },
    {
      key: "outcome",
      title: t.operations.outcome,
      width: 160,
      render: (_, item) => (
        <Typography.Text type={OUTCOME_COLOURS[item.outcome]}>{t.operations.outcomes[item.outcome]}</Typography.Text>
      ),
    },
    {
      key: "status",
      title: t.operations.currentStatus,
      width: 150,
      render: (_, item) => <StatusTag status={item.status} />,
    },
    { key: "note", title: t.operations.note, render: (_, item) => itemNote(item.note, t) ?? t.common.none },
  ];
}
