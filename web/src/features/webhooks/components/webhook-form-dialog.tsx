import { fieldIssues } from "@common/validation.ts";
import {
  CreateWebhookRequest,
  MIN_SECRET_LENGTH,
  UpdateWebhookRequest,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookEvent,
} from "@common/webhooks.ts";
import { Alert, Button, Checkbox, Flex, Form, Input, Modal, Space, Switch, Typography } from "antd";
import type { z } from "zod";
import { isApiError } from "../../../lib/api-client.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useSaveWebhook } from "../api/save-webhook.ts";

type Values = { url: string; secret: string; events: WebhookEvent[]; active: boolean };

/** Errors the engine ties to the URL field. */
const URL_ERRORS = new Set(["webhook_url_not_allowed", "webhook_url_unresolvable"]);

/** A random secret the receiver can store: 32 URL-safe characters. */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}

/** Adding an endpoint (no `webhook`) or editing one; the secret is only sent when typed. */
export function WebhookFormDialog({
  project,
  webhook,
  onClose,
  onSaved,
}: {
  project: string;
  webhook?: Webhook | undefined;
  onClose: () => void;
  onSaved: (hook: Webhook) => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const save = useSaveWebhook({ onSuccess: onSaved });
  const editing = webhook !== undefined;

  const submit = (values: Values) => {
    const request = editing
      ? {
          ...(values.url !== webhook.url ? { url: values.url } : {}),
          ...(values.secret ? { secret: values.secret } : {}),
          events: values.events,
          active: values.active,
        }
      : { url: values.url, secret: values.secret, events: values.events, active: values.active };
    // The BFF checks the same schema; checking here names the field before a round trip.
    const schema: z.ZodType = editing ? UpdateWebhookRequest : CreateWebhookRequest;
    const parsed = schema.safeParse(request);
    if (!parsed.success) {
      form.setFields(
        fieldIssues(parsed.error).map((issue) => ({
          name: (issue.path.split(/[.[]/)[0] || "url") as keyof Values,
          errors: [issue.message],
        })),
      );
      return;
    }
    save.mutate(editing ? { project, id: webhook.id, request } : { project, request: request as Values });
  };

  const urlError = isApiError(save.error) && URL_ERRORS.has(save.error.code) ? errorMessage(save.error, t) : undefined;
  const otherError = save.error && !urlError ? save.error : null;

  return (
    <Modal
      open
      title={editing ? t.webhooks.editTitle : t.webhooks.addTitle}
      onCancel={onClose}
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>{t.webhooks.cancel}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()}>
            {t.webhooks.save}
          </Button>
        </Flex>
      }
    >
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        aria-label={editing ? t.webhooks.editTitle : t.webhooks.addTitle}
        disabled={save.isPending}
        initialValues={{
          url: webhook?.url ?? "",
          secret: "",
          events: webhook?.events ?? ["operation.completed"],
          active: webhook?.active ?? true,
        }}
        onFinish={submit}
        onValuesChange={() => save.reset()}
      >
        <Form.Item
          label={t.webhooks.url}
          name="url"
          validateStatus={urlError ? "error" : undefined}
          help={urlError}
          rules={[{ required: true, message: t.webhooks.url }]}
        >
          <Input placeholder="https://hooks.example.com/sluice" autoComplete="off" inputMode="url" />
        </Form.Item>
        <Form.Item label={t.webhooks.secret} extra={editing ? t.webhooks.secretKeep : t.webhooks.secretHint}>
          <Space.Compact style={{ width: "100%" }}>
            <Form.Item
              name="secret"
              noStyle
              rules={editing ? [] : [{ required: true, min: MIN_SECRET_LENGTH, message: t.webhooks.secretHint }]}
            >
              <Input.Password autoComplete="new-password" aria-label={t.webhooks.secret} />
            </Form.Item>
            <Button onClick={() => form.setFieldValue("secret", generateSecret())}>{t.webhooks.generate}</Button>
          </Space.Compact>
        </Form.Item>
        <Form.Item label={t.webhooks.events} name="events" rules={[{ required: true, message: t.webhooks.events }]}>
          <Checkbox.Group>
            <Flex vertical gap={4}>
              {WEBHOOK_EVENTS.map((event) => (
                <Checkbox key={event} value={event}>
                  {t.webhooks.eventNames[event]}{" "}
                  <Typography.Text type="secondary">— {t.webhooks.eventHints[event]}</Typography.Text>
                </Checkbox>
              ))}
            </Flex>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item label={t.webhooks.activeLabel} name="active" valuePropName="checked">
          <Switch />
        </Form.Item>
        {otherError ? (
          <Alert type="error" showIcon role="alert" title={t.webhooks.failed(errorMessage(otherError, t))} />
        ) : null}
      </Form>
    </Modal>
  );
}
