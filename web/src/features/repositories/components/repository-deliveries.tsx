import type { HookDelivery, HookDeliveryStatus, Repository } from "@common/contract/repositories.ts";
import { Button, Flex, Popconfirm, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useMemo } from "react";
import { Link } from "react-router";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { buildPath } from "../../../lib/build-path.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { useHookDeliveries } from "../api/get-hook-deliveries.ts";
import { useRedeliverHook } from "../api/redeliver-hook.ts";

const STATUS_COLOURS: Record<HookDeliveryStatus, string> = {
  pending: "processing",
  processed: "success",
  ignored: "default",
  failed: "error",
};

/**
 * A repository's recent inbound deliveries, each with what it did: builds started, builds canceled,
 * or why it was ignored; and Redeliver, which processes one again as a new delivery.
 */
export function RepositoryDeliveries({ repository }: { repository: Repository }) {
  const { t } = useI18n();
  const notifications = useNotifications();
  const deliveries = useHookDeliveries(repository.project, repository.name);
  const send = useRedeliverHook({ onSuccess: () => notifications.success({ title: t.repositories.redelivered }) });
  const columns = useMemo(
    () =>
      deliveryColumns(t, repository.project, (delivery) =>
        send.mutateAsync(
          { project: repository.project, repository: repository.name, delivery: delivery.id },
          { onError: (err) => notifications.error({ title: t.repositories.redeliverFailed(errorMessage(err, t)) }) },
        ),
      ),
    [t, repository.project, repository.name, send.mutateAsync, notifications],
  );
  const title = t.repositories.deliveries(repository.name);
  return (
    <Flex vertical gap={8}>
      <Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>
        {title}
      </Typography.Title>
      {deliveries.isError && !deliveries.data ? (
        <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : (
        <Table<HookDelivery>
          aria-label={title}
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={deliveries.data?.items ?? []}
          loading={deliveries.isPending}
          pagination={false}
          scroll={{ x: 800 }}
          locale={{ emptyText: <EmptyState>{t.repositories.noDeliveries}</EmptyState> }}
        />
      )}
    </Flex>
  );
}

function eventName(delivery: HookDelivery, t: Messages): string {
  const names = t.repositories.events;
  return Object.hasOwn(names, delivery.event) ? names[delivery.event as keyof typeof names] : delivery.event;
}

function deliveryColumns(
  t: Messages,
  project: string,
  redeliver: (delivery: HookDelivery) => Promise<unknown>,
): TableColumnsType<HookDelivery> {
  return [
    {
      key: "received",
      title: t.repositories.received,
      width: 130,
      render: (_, d) => <RelativeTime value={d.receivedAt} />,
    },
    { key: "event", title: t.repositories.event, width: 140, render: (_, d) => eventName(d, t) },
    {
      key: "ref",
      title: t.repositories.ref,
      ellipsis: true,
      render: (_, d) =>
        d.pullRequest !== null
          ? t.repositories.pullRequestAction(d.pullRequest, d.action ?? "")
          : (d.branch ?? t.common.none),
    },
    {
      key: "status",
      title: t.repositories.status,
      width: 110,
      render: (_, d) => <Tag color={STATUS_COLOURS[d.status]}>{t.repositories.statuses[d.status]}</Tag>,
    },
    {
      key: "effect",
      title: t.repositories.effect,
      render: (_, d) => <DeliveryEffect delivery={d} project={project} />,
    },
    {
      key: "actions",
      title: t.repositories.actions,
      width: 130,
      render: (_, d) =>
        d.status === "pending" ? (
          <Button size="small" disabled title={t.repositories.pendingNoRedeliver}>
            {t.repositories.redeliver}
          </Button>
        ) : (
          <Popconfirm
            title={t.repositories.redeliverTitle}
            description={<div style={{ maxWidth: 360 }}>{t.repositories.redeliverConfirm}</div>}
            okText={t.repositories.redeliver}
            cancelText={t.repositories.keep}
            onConfirm={() => redeliver(d).catch(() => undefined)}
          >
            <Button size="small" aria-label={`${t.repositories.redeliver} #${d.id}`}>
              {t.repositories.redeliver}
            </Button>
          </Popconfirm>
        ),
    },
  ];
}

/** "Started #3, #4 · canceled 2 builds" (the cancel links to its operation), or why the delivery was ignored. */
function DeliveryEffect({ delivery, project }: { delivery: HookDelivery; project: string }) {
  const { t } = useI18n();
  const { created, canceled, operationId } = delivery.effects;
  const parts = [];
  if (created.length > 0) {
    parts.push(
      <span key="created">
        {t.repositories.started}{" "}
        {created.map((b, i) => (
          <span key={b.buildId}>
            {i > 0 && ", "}
            <Link to={buildPath({ project, pipeline: b.pipeline, number: b.number })}>
              {b.pipeline} #{b.number}
            </Link>
          </span>
        ))}
      </span>,
    );
  }
  if (operationId !== null) {
    parts.push(
      <Link key="canceled" to={`/operations/${encodeURIComponent(operationId)}`}>
        {t.repositories.canceled(canceled)}
      </Link>,
    );
  }
  if (delivery.redeliveryOf !== null) {
    parts.push(
      <Typography.Text key="redelivery" type="secondary">
        {t.repositories.redeliveryOf(delivery.redeliveryOf, delivery.redeliveredBy ?? "")}
      </Typography.Text>,
    );
  }
  if (delivery.reason)
    parts.push(
      <Typography.Text key="reason" type="secondary">
        {delivery.reason}
      </Typography.Text>,
    );
  if (parts.length === 0) return t.common.none;
  return (
    <Flex gap={8} wrap>
      {parts}
    </Flex>
  );
}
