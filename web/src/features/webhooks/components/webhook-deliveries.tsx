import type { DeliveryStatus, Webhook, WebhookDelivery } from "@common/webhooks.ts";
import { Button, Descriptions, Flex, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useMemo } from "react";
import { LoadMore } from "../../../components/load-more.tsx";
import { EmptyState, ErrorState, LoadingState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { errorMessage } from "../../../lib/error-message.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { useDeliveries } from "../api/get-deliveries.ts";
import { useDelivery } from "../api/get-delivery.ts";
import { useSendDelivery } from "../api/send-delivery.ts";
import { deliveryErrorText } from "../utils/delivery-error.ts";

const STATUS_COLOURS: Record<DeliveryStatus, string> = {
  pending: "processing",
  delivered: "success",
  failed: "error",
  refused: "warning",
};

export function DeliveryStatusTag({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOURS[status]}>{t.webhooks.statuses[status]}</Tag>;
}

/** An endpoint's delivery log: newest first, each row opening to its payload and attempts, with Redeliver. */
export function WebhookDeliveries({ project, webhook }: { project: string; webhook: Webhook }) {
  const { t } = useI18n();
  const notifications = useNotifications();
  const deliveries = useDeliveries(project, webhook.id);
  const send = useSendDelivery({ onSuccess: () => notifications.success({ title: t.webhooks.redelivered }) });
  const rows = useMemo(() => deliveries.data?.pages.flatMap((p) => p.items) ?? [], [deliveries.data]);
  const columns = useMemo(
    () =>
      buildColumns(t, {
        canRedeliver: webhook.active,
        onRedeliver: (delivery) =>
          send.mutate(
            { project, id: webhook.id, redeliver: delivery.id },
            { onError: (err) => notifications.error({ title: t.webhooks.actionFailed(errorMessage(err, t)) }) },
          ),
      }),
    [t, webhook.active, webhook.id, project, send.mutate, notifications],
  );

  return (
    <section aria-label={t.webhooks.deliveriesOf(webhook.url)}>
      <Flex vertical gap={12}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t.webhooks.deliveriesOf(webhook.url)}
        </Typography.Title>
        {deliveries.isError && !deliveries.data ? (
          <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />
        ) : (
          <>
            <Table<WebhookDelivery>
              aria-label={t.webhooks.deliveries}
              rowKey="id"
              size="middle"
              pagination={false}
              loading={deliveries.isPending}
              columns={columns}
              dataSource={rows}
              expandable={{
                expandedRowRender: (delivery) => (
                  <DeliveryDetail project={project} webhook={webhook} delivery={delivery} />
                ),
              }}
              locale={{ emptyText: <EmptyState>{t.webhooks.noDeliveries}</EmptyState> }}
            />
            <LoadMore
              hasMore={deliveries.hasNextPage}
              loading={deliveries.isFetchingNextPage}
              onLoad={() => void deliveries.fetchNextPage()}
              label={t.common.loadMore}
            />
          </>
        )}
      </Flex>
    </section>
  );
}

function buildColumns(
  t: Messages,
  opts: { canRedeliver: boolean; onRedeliver: (delivery: WebhookDelivery) => void },
): TableColumnsType<WebhookDelivery> {
  return [
    {
      key: "delivery",
      title: t.webhooks.delivery,
      render: (_, d) => (
        <Flex vertical>
          <Typography.Text>
            #{d.id} {t.webhooks.eventNames[d.event]}
          </Typography.Text>
          {d.redeliveryOf !== null && (
            <Typography.Text type="secondary">{t.webhooks.redeliveryOf(d.redeliveryOf)}</Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      key: "status",
      title: t.webhooks.status,
      render: (_, d) => (
        <Flex vertical align="start">
          <DeliveryStatusTag status={d.status} />
          {d.status === "pending" && d.nextAttemptAt && (
            <Typography.Text type="secondary">
              {t.webhooks.nextAttempt(new Date(d.nextAttemptAt).toLocaleTimeString())}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    { key: "items", title: t.webhooks.items, dataIndex: "items", width: 90 },
    {
      key: "response",
      title: t.webhooks.response,
      render: (_, d) =>
        d.responseStatus !== null ? (
          <Typography.Text code>{d.responseStatus}</Typography.Text>
        ) : d.error ? (
          <Typography.Text
            type="danger"
            ellipsis={{ tooltip: deliveryErrorText(d.error, t) }}
            style={{ maxWidth: 240 }}
          >
            {deliveryErrorText(d.error, t)}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t.common.none}</Typography.Text>
        ),
    },
    { key: "attempts", title: t.webhooks.attempts, dataIndex: "attempts", width: 100 },
    {
      key: "duration",
      title: t.webhooks.duration,
      render: (_, d) => (d.durationMs === null ? t.common.none : `${d.durationMs} ms`),
    },
    { key: "created", title: t.webhooks.created, render: (_, d) => <RelativeTime value={d.createdAt} /> },
    {
      key: "actions",
      title: t.webhooks.actions,
      render: (_, d) => (
        <Button
          size="small"
          disabled={!opts.canRedeliver}
          aria-label={`${t.webhooks.redeliver} #${d.id}`}
          onClick={() => opts.onRedeliver(d)}
        >
          {t.webhooks.redeliver}
        </Button>
      ),
    },
  ];
}

/** A delivery's exact payload and every attempt (status, answer, error, duration). */
function DeliveryDetail({
  project,
  webhook,
  delivery,
}: {
  project: string;
  webhook: Webhook;
  delivery: WebhookDelivery;
}) {
  const { t } = useI18n();
  const detail = useDelivery(project, webhook.id, delivery.id);
  if (detail.isPending) return <LoadingState />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const d = detail.data;
  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">
        X-Sluice-Delivery: <Typography.Text code>{d.guid}</Typography.Text>
      </Typography.Text>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t.webhooks.attemptLog}
      </Typography.Title>
      {d.attemptLog.length === 0 ? (
        <Typography.Text type="secondary">{t.common.none}</Typography.Text>
      ) : (
        <ol aria-label={t.webhooks.attemptLog} style={{ margin: 0, paddingInlineStart: 20 }}>
          {d.attemptLog.map((a) => (
            <li key={a.attempt}>
              <Descriptions
                size="small"
                column={4}
                items={[
                  { key: "when", label: t.webhooks.attempt(a.attempt), children: <RelativeTime value={a.startedAt} /> },
                  {
                    key: "response",
                    label: t.webhooks.response,
                    children:
                      a.responseStatus ?? (a.error === null ? t.webhooks.noResponse : deliveryErrorText(a.error, t)),
                  },
                  { key: "duration", label: t.webhooks.duration, children: `${a.durationMs} ms` },
                  ...(a.responseBody
                    ? [
                        {
                          key: "body",
                          label: t.webhooks.responseBody,
                          children: (
                            <Typography.Text ellipsis={{ tooltip: a.responseBody }}>{a.responseBody}</Typography.Text>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </li>
          ))}
        </ol>
      )}
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t.webhooks.payload}
      </Typography.Title>
      <section
        aria-label={t.webhooks.payload}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a long payload scrolls by keyboard too
        tabIndex={0}
        style={{ maxHeight: 320, overflow: "auto" }}
      >
        <pre style={{ margin: 0, fontSize: 12, whiteSpace: "pre-wrap" }}>{prettyJson(d.payload)}</pre>
      </section>
    </Flex>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
