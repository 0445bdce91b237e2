import { type ItemOutcome, KIND_OUTCOMES, type OperationKind } from "@common/constants.ts";
import type { OperationItem } from "@common/dto.ts";
import { Flex, Grid, Segmented, Table, type TableColumnsType, Typography } from "antd";
import dayjs from "dayjs";
import { type ReactNode, useMemo, useState } from "react";
import { Link } from "react-router";
import { LoadMore } from "../../../components/load-more.tsx";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { buildPath } from "../../../lib/build-path.ts";
import { itemNote } from "../../../lib/cancel-note.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNow } from "../../../lib/use-now.ts";
import { useOperationItems } from "../api/get-operation-items.ts";
import { ForceStopButton } from "./force-stop-button.tsx";

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
 * Stuck builds (a stop their agent has not acknowledged within the grace period) get a column of
 * their own while there are any: the agent, its last contact, the time left before the build is
 * force-finalized and, for those who may cancel (`canForce`), **Force stop now**.
 */
type Props = { id: string; project: string; kind: OperationKind; running: boolean; canForce: boolean };

export function OperationItemsTable({ id, project, kind, running, canForce }: Props) {
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const [outcome, setOutcome] = useState<ItemOutcome | "all">("all");
  const items = useOperationItems(id, outcome === "all" ? undefined : outcome, running);
  const rows = useMemo(() => items.data?.pages.flatMap((page) => page.items) ?? [], [items.data]);
  const anyStuck = rows.some((item) => item.stuck);
  const columns = useMemo(() => {
    const base = buildColumns(project, t);
    if (!anyStuck) return base;
    return [
      ...base,
      {
        key: "stuck",
        title: t.operations.stuck,
        width: 260,
        render: (_: unknown, item: OperationItem) =>
          item.stuck && <StuckCell operationId={id} project={project} item={item} canForce={canForce} />,
      },
    ];
  }, [id, project, t, anyStuck, canForce]);

  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0, fontSize: 20 }}>
          {t.operations.items}
        </Typography.Title>
        <Segmented<ItemOutcome | "all">
          aria-label={t.operations.outcomeFilter}
          // Side by side the outcomes are wider than a phone: stacked there, every one stays in reach.
          vertical={!screens.sm}
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
            scroll={{ x: 720 }}
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

const NEW_BUILD = /^#(\d+)$/;

/** A created item's note is the new build's number: a link to it. */
function noteOf(project: string, item: OperationItem, t: Messages): ReactNode {
  const made = item.outcome === "created" ? NEW_BUILD.exec(item.note ?? "") : null;
  if (made) {
    const number = Number(made[1]);
    return <Link to={buildPath({ project, pipeline: item.pipeline, number })}>{t.operations.newBuild(number)}</Link>;
  }
  return itemNote(item.note, t) ?? t.common.none;
}

function buildColumns(project: string, t: Messages): TableColumnsType<OperationItem> {
  return [
    {
      key: "build",
      title: t.history.number,
      width: 100,
      render: (_, item) => (
        <Link to={buildPath({ project, pipeline: item.pipeline, number: item.buildNumber })}>#{item.buildNumber}</Link>
      ),
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
    { key: "note", title: t.operations.note, render: (_, item) => noteOf(project, item, t) },
  ];
}

/** Which agent has not acknowledged the stop, when it last answered, and how long until the deadline. */
function StuckCell({
  operationId,
  project,
  item,
  canForce,
}: {
  operationId: string;
  project: string;
  item: OperationItem;
  canForce: boolean;
}) {
  const { t } = useI18n();
  const stuck = item.stuck;
  if (!stuck) return null;
  return (
    <Flex vertical gap={4} align="start">
      <Typography.Text>{t.operations.stuckOn(stuck.agent ?? t.operations.unknownAgent)}</Typography.Text>
      <Typography.Text type="secondary">
        {t.operations.lastContact} <RelativeTime value={stuck.lastContactAt} />
      </Typography.Text>
      {stuck.forceFinalizeAt && <TimeLeft until={stuck.forceFinalizeAt} />}
      {canForce && <ForceStopButton operationId={operationId} project={project} item={item} />}
    </Flex>
  );
}

/** "force-finalized in 25 seconds", counting down. */
function TimeLeft({ until }: { until: string }) {
  const { t } = useI18n();
  const now = useNow(1000);
  const at = dayjs(until);
  return (
    <Typography.Text type="secondary">
      <time dateTime={until}>{t.operations.forceFinalizedIn(at.from(Math.min(now, at.valueOf() - 1000)))}</time>
    </Typography.Text>
  );
}
