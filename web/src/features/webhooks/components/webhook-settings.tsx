import type { Webhook } from "@common/webhooks.ts";
import { Alert, Button, Flex, Popconfirm, Space, Table, type TableColumnsType, Tag, Tooltip, Typography } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { isApiError } from "../../../lib/api-client.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { useDeleteWebhook } from "../api/delete-webhook.ts";
import { useWebhooks } from "../api/get-webhooks.ts";
import { useSaveWebhook } from "../api/save-webhook.ts";
import { useSendDelivery } from "../api/send-delivery.ts";
import { DeliveryStatusTag, WebhookDeliveries } from "./webhook-deliveries.tsx";
import { WebhookFormDialog } from "./webhook-form-dialog.tsx";

const when = (iso: string | null) => (iso ? dayjs(iso).format("YYYY-MM-DD HH:mm") : "");

/**
 * A project's webhook settings (maintainers): the endpoints with their state, add / edit /
 * delete, a test delivery, and the chosen endpoint's delivery log. An endpoint the engine
 * disabled for failing says so, with a way to enable it again.
 */
export function WebhookSettings({ project }: { project: string }) {
  const { t } = useI18n();
  const notifications = useNotifications();
  const hooks = useWebhooks(project);
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const fail = (err: Error) => notifications.error({ title: t.webhooks.actionFailed(errorMessage(err, t)) });
  const remove = useDeleteWebhook({ onSuccess: () => notifications.success({ title: t.webhooks.deleted }) });
  const enable = useSaveWebhook({ onSuccess: () => notifications.success({ title: t.webhooks.saved }) });
  const ping = useSendDelivery({ onSuccess: () => notifications.success({ title: t.webhooks.testSent }) });

  const items = hooks.data?.items ?? [];
  const selected = items.find((h) => h.id === selectedId) ?? items[0];
  const columns = buildColumns(t, {
    onEdit: setEditing,
    onSelect: (hook) => setSelectedId(hook.id),
    onPing: (hook) => {
      setSelectedId(hook.id);
      ping.mutate({ project, id: hook.id }, { onError: fail });
    },
    onDelete: (hook) => remove.mutate({ project, id: hook.id }, { onError: fail }),
  });

  if (hooks.isError && !hooks.data) {
    if (isApiError(hooks.error) && hooks.error.status === 403) {
      return <Alert type="info" showIcon role="note" title={t.webhooks.noPermission} />;
    }
    return <ErrorState error={hooks.error} onRetry={() => void hooks.refetch()} />;
  }

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
          {t.webhooks.title}
        </Typography.Title>
        <Button type="primary" onClick={() => setEditing("new")}>
          {t.webhooks.add}
        </Button>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t.webhooks.intro}
      </Typography.Paragraph>
      {items
        .filter((hook) => hook.disabledReason === "failing")
        .map((hook) => (
          <Alert
            key={hook.id}
            type="error"
            showIcon
            role="alert"
            title={`${t.webhooks.disabledTitle}: ${hook.url}`}
            description={t.webhooks.disabledText(when(hook.failingSince), when(hook.disabledAt))}
            action={
              <Button
                size="small"
                loading={enable.isPending}
                onClick={() => enable.mutate({ project, id: hook.id, request: { active: true } }, { onError: fail })}
              >
                {t.webhooks.enable}
              </Button>
            }
          />
        ))}
      <Table<Webhook>
        aria-label={t.webhooks.table}
        rowKey="id"
        size="middle"
        pagination={false}
        loading={hooks.isPending}
        columns={columns}
        dataSource={items}
        rowClassName={(hook) => (hook.id === selected?.id ? "ant-table-row-selected" : "")}
        locale={{ emptyText: <EmptyState>{t.webhooks.empty}</EmptyState> }}
      />
      {selected && <WebhookDeliveries key={selected.id} project={project} webhook={selected} />}
      {editing !== null && (
        <WebhookFormDialog
          project={project}
          webhook={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(hook) => {
            setEditing(null);
            setSelectedId(hook.id);
            notifications.success({ title: t.webhooks.saved });
          }}
        />
      )}
    </Flex>
  );
}

function StateTag({ hook }: { hook: Webhook }) {
  const { t } = useI18n();
  if (hook.disabledReason === "failing") {
    return (
      <Tooltip title={t.webhooks.disabledText(when(hook.failingSince), when(hook.disabledAt))}>
        <Tag color="error">{t.webhooks.disabled}</Tag>
      </Tooltip>
    );
  }
  if (!hook.active) return <Tag>{t.webhooks.off}</Tag>;
  if (hook.failingSince) {
    return (
      <Tooltip title={t.webhooks.failingText(when(hook.failingSince))}>
        <Tag color="warning">{t.webhooks.failing}</Tag>
      </Tooltip>
    );
  }
  return <Tag color="success">{t.webhooks.active}</Tag>;
}

function buildColumns(
  t: Messages,
  on: {
    onEdit: (hook: Webhook) => void;
    onSelect: (hook: Webhook) => void;
    onPing: (hook: Webhook) => void;
    onDelete: (hook: Webhook) => void;
  },
): TableColumnsType<Webhook> {
  return [
    {
      key: "url",
      title: t.webhooks.url,
      render: (_, hook) => (
        <Button type="link" style={{ padding: 0, height: "auto" }} onClick={() => on.onSelect(hook)}>
          <Typography.Text code>{hook.url}</Typography.Text>
        </Button>
      ),
    },
    {
      key: "events",
      title: t.webhooks.events,
      render: (_, hook) => (
        <Flex wrap gap={4}>
          {hook.events.map((e) => (
            <Tag key={e}>{t.webhooks.eventNames[e]}</Tag>
          ))}
        </Flex>
      ),
    },
    { key: "state", title: t.webhooks.state, render: (_, hook) => <StateTag hook={hook} /> },
    {
      key: "last",
      title: t.webhooks.lastDelivery,
      render: (_, hook) =>
        hook.lastDelivery ? (
          <Space size={4}>
            <DeliveryStatusTag status={hook.lastDelivery.status} />
            <RelativeTime value={hook.lastDelivery.createdAt} />
          </Space>
        ) : (
          <Typography.Text type="secondary">{t.webhooks.never}</Typography.Text>
        ),
    },
    {
      key: "actions",
      title: t.webhooks.actions,
      render: (_, hook) => (
        <Space size={4} wrap>
          <Button size="small" aria-label={`${t.webhooks.edit} ${hook.url}`} onClick={() => on.onEdit(hook)}>
            {t.webhooks.edit}
          </Button>
          <Button
            size="small"
            disabled={!hook.active}
            aria-label={`${t.webhooks.sendTest} ${hook.url}`}
            onClick={() => on.onPing(hook)}
          >
            {t.webhooks.sendTest}
          </Button>
          <Popconfirm
            title={t.webhooks.deleteConfirm}
            okText={t.webhooks.delete}
            okButtonProps={{ danger: true }}
            cancelText={t.webhooks.cancel}
            onConfirm={() => on.onDelete(hook)}
          >
            <Button size="small" danger aria-label={`${t.webhooks.delete} ${hook.url}`}>
              {t.webhooks.delete}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];
}
