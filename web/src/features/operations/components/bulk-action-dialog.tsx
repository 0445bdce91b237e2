import { MAX_REASON_LENGTH } from "@common/constants.ts";
import type { Operation } from "@common/dto.ts";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Flex, Input, Modal, Spin, Typography } from "antd";
import { type ReactNode, useRef, useState } from "react";
import { isApiError } from "../../../lib/api-client.ts";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { randomId } from "../../../lib/random-id.ts";
import { useCreateCancellation } from "../api/create-cancellation.ts";
import { useCreateRerun } from "../api/create-rerun.ts";
import { cancellationPreviewQueryOptions } from "../api/preview-cancellation.ts";
import { rerunPreviewQueryOptions } from "../api/preview-rerun.ts";
import { useOperationTracker } from "../hooks/use-operation-tracker.ts";
import { BulkPreview } from "./bulk-preview.tsx";

type Props = {
  action: BulkAction;
  project: string;
  /** Null: every pipeline of the project. */
  pipeline: string | null;
  /** Shown above the preview: choices that change the action (the project page's branch and pipelines). */
  choices?: ReactNode;
  onClose: () => void;
  /** The server accepted it and its toast is up. */
  onAccepted?: (operation: Operation) => void;
};

/** A confirm answered with these needs a fresh look at the builds. */
const STALE_PREVIEW = new Set(["preview_expired", "invalid_snapshot"]);

/**
 * The confirmation of a bulk cancel or re-run, bound to a server preview: it shows what the
 * server counted and confirms with that preview's snapshot, so builds triggered while it is open
 * are left alone and the toast counts only what was shown. Mounted while open; focus starts on
 * the safe choice, so Enter does not confirm.
 */
export function BulkActionDialog({ action, project, pipeline, choices, onClose, onAccepted }: Props) {
  const { t } = useI18n();
  const { track } = useOperationTracker();
  const preview = useQuery(
    action.kind === "cancel"
      ? cancellationPreviewQueryOptions({ project, pipeline, request: action.request })
      : rerunPreviewQueryOptions({ project, pipeline, request: action.request }),
  );
  const cancel = useCreateCancellation();
  const rerun = useCreateRerun();
  const [reason, setReason] = useState("");
  const [force, setForce] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keepRef = useRef<HTMLButtonElement>(null);

  // One idempotency key per preview: a retried click makes one operation; a new preview, a new one.
  const snapshot = preview.data?.snapshot;
  const [key, setKey] = useState({ snapshot, value: randomId() });
  if (key.snapshot !== snapshot) setKey({ snapshot, value: randomId() });

  const confirm = async () => {
    if (!snapshot) return;
    setPending(true);
    setError(null);
    const common = { project, pipeline, idempotencyKey: key.value };
    const why = reason.trim() || undefined;
    try {
      const { operation } =
        action.kind === "cancel"
          ? await cancel.mutateAsync({
              ...common,
              request: { ...action.request, snapshot, reason: why, ...(force ? { force: true } : {}) },
            })
          : await rerun.mutateAsync({ ...common, request: { ...action.request, snapshot, reason: why } });
      track(operation);
      onAccepted?.(operation);
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  const again = () => {
    setError(null);
    void preview.refetch();
  };

  const total = preview.data?.total ?? 0;
  const texts =
    action.kind === "cancel"
      ? { title: t.dialog.title(total), confirm: t.dialog.confirm(total), keep: t.dialog.keep, failed: t.dialog.failed }
      : {
          title: t.rerunDialog.title(total),
          confirm: t.rerunDialog.confirm(total),
          keep: t.rerunDialog.keep,
          failed: t.rerunDialog.failed,
        };
  const stale = isApiError(error) && STALE_PREVIEW.has(error.code);
  const ready = preview.data !== undefined && total > 0 && !preview.isFetching && !stale;

  return (
    <Modal
      open
      title={preview.data ? texts.title : preview.isError ? t.dialog.loadFailedTitle : t.dialog.resolving}
      onCancel={onClose}
      closable={!pending}
      mask={{ closable: !pending }}
      keyboard={!pending}
      afterOpenChange={(open) => {
        // The dialog focuses itself once its animation ends; unless the user already went to a
        // control (typing a reason), move on to the safe choice.
        if (open && !document.activeElement?.matches("input, textarea, button, a")) keepRef.current?.focus();
      }}
      footer={
        <Flex justify="end" gap={8}>
          <Button ref={keepRef} autoFocus onClick={onClose} disabled={pending}>
            {texts.keep}
          </Button>
          <Button
            type="primary"
            danger={action.kind === "cancel"}
            loading={pending}
            disabled={!ready}
            onClick={confirm}
          >
            {texts.confirm}
          </Button>
        </Flex>
      }
    >
      <Flex vertical gap={12}>
        {choices}
        {preview.data ? (
          <BulkPreview
            action={action}
            preview={preview.data}
            pipeline={pipeline}
            at={preview.dataUpdatedAt}
            force={force}
            onForceChange={setForce}
          />
        ) : preview.isError ? (
          <Alert
            type="error"
            showIcon
            role="alert"
            title={errorMessage(preview.error, t)}
            action={
              <Button size="small" onClick={again}>
                {t.common.retry}
              </Button>
            }
          />
        ) : (
          <Flex justify="center" style={{ padding: 24 }} role="status">
            <Spin />
            <Typography.Text style={{ marginInlineStart: 12 }}>{t.dialog.resolving}</Typography.Text>
          </Flex>
        )}
        <label htmlFor="bulk-reason">
          <Typography.Text>{t.dialog.reason}</Typography.Text>
        </label>
        <Input.TextArea
          id="bulk-reason"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          maxLength={MAX_REASON_LENGTH}
          placeholder={action.kind === "cancel" ? t.dialog.reasonPlaceholder : t.rerunDialog.reasonPlaceholder}
          rows={3}
          disabled={pending}
        />
        {stale ? (
          <Alert
            type="warning"
            showIcon
            role="alert"
            title={errorMessage(error, t)}
            action={
              <Button size="small" type="primary" onClick={again} loading={preview.isFetching}>
                {t.dialog.previewAgain}
              </Button>
            }
          />
        ) : error ? (
          <Alert type="error" showIcon role="alert" title={texts.failed(errorMessage(error, t))} />
        ) : null}
      </Flex>
    </Modal>
  );
}
