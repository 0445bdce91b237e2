import { MAX_REASON_LENGTH } from "@common/constants.ts";
import type { Operation } from "@common/dto.ts";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Flex, Input, Modal, Spin, Typography } from "antd";
import { type ReactNode, useRef, useState } from "react";
import { useDialogFocus } from "../../../components/dialog-focus.tsx";
import { isApiError } from "../../../lib/api-client.ts";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { kindView, unknownKind } from "../../../lib/operation-kinds.ts";
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

/** The preview of a bulk action, by its kind. */
function previewQueryOptions(action: BulkAction, project: string, pipeline: string | null) {
  switch (action.kind) {
    case "cancel":
      return cancellationPreviewQueryOptions({ project, pipeline, request: action.request });
    case "rerun":
      return rerunPreviewQueryOptions({ project, pipeline, request: action.request });
    default:
      return unknownKind(action);
  }
}

/** A confirm answered with these needs a fresh look at the builds. */
const STALE_PREVIEW = new Set(["preview_expired", "preview_changed", "invalid_snapshot"]);

/**
 * The confirmation of a bulk cancel or re-run, bound to a server preview: it shows what the
 * server counted and confirms with that preview's snapshot, so builds triggered while it is open
 * are left alone and the toast counts only what was shown. Mounted while open; focus starts on
 * the safe choice, so Enter does not confirm.
 */
export function BulkActionDialog({ action: asked, project, pipeline, choices, onClose, onAccepted }: Props) {
  const { t } = useI18n();
  const { track } = useOperationTracker();
  // A filter skips the project's protected branches unless the person asks to include them: a new preview.
  const [includeProtected, setIncludeProtected] = useState(false);
  const action = withProtectedBranches(asked, includeProtected);
  const preview = useQuery(previewQueryOptions(action, project, pipeline));
  const cancel = useCreateCancellation();
  const rerun = useCreateRerun();
  const [reason, setReason] = useState("");
  const [force, setForce] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const { modalRender } = useDialogFocus();

  // One idempotency key per preview: a retried click makes one operation; a new preview, a new one.
  const snapshot = preview.data?.snapshot;
  const [key, setKey] = useState({ snapshot, value: randomId() });
  if (key.snapshot !== snapshot) setKey({ snapshot, value: randomId() });
  // A big or guarded cancel is confirmed by typing its number of builds (per preview).
  const [typed, setTyped] = useState({ snapshot, value: "" });
  if (typed.snapshot !== snapshot) setTyped({ snapshot, value: "" });
  const view = kindView(action.kind);
  const mustType = view.stops && preview.data?.confirmation?.required === true;

  const confirm = async () => {
    if (!snapshot) return;
    setPending(true);
    setError(null);
    const common = { project, pipeline, idempotencyKey: key.value };
    const why = reason.trim() || undefined;
    const accept = () => {
      switch (action.kind) {
        case "cancel":
          return cancel.mutateAsync({
            ...common,
            request: {
              ...action.request,
              snapshot,
              reason: why,
              ...(force ? { force: true } : {}),
              ...(mustType ? { confirmCount: Number(typed.value) } : {}),
            },
          });
        case "rerun":
          return rerun.mutateAsync({ ...common, request: { ...action.request, snapshot, reason: why } });
        default:
          return unknownKind(action);
      }
    };
    try {
      const { operation } = await accept();
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
  // Builds running a protected job are left running unless forced: they are not counted as canceled.
  const acting = view.stops && !force ? total - (preview.data?.protected ?? 0) : total;
  const words = view.texts(t).dialog;
  const texts = { title: words.title(acting), confirm: words.confirm(acting), keep: words.keep, failed: words.failed };
  const stale = isApiError(error) && STALE_PREVIEW.has(error.code);
  const typedRight = !mustType || typed.value.trim() === String(total);
  const ready = preview.data !== undefined && acting > 0 && !preview.isFetching && !stale && typedRight;

  return (
    <Modal
      open
      title={preview.data ? texts.title : preview.isError ? t.dialog.loadFailedTitle : t.dialog.resolving}
      onCancel={onClose}
      modalRender={modalRender}
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
          <Button type="primary" danger={view.stops} loading={pending} disabled={!ready} onClick={confirm}>
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
            includeProtected={includeProtected}
            onIncludeProtectedChange={pending ? undefined : setIncludeProtected}
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
        {mustType && total > 0 && (
          <Flex vertical gap={4}>
            <label htmlFor="bulk-confirm-count">
              <Typography.Text strong>
                {t.dialog.typeToConfirm(total, preview.data?.confirmation?.stages.join(", ") ?? "")}
              </Typography.Text>
            </label>
            <Input
              id="bulk-confirm-count"
              inputMode="numeric"
              autoComplete="off"
              value={typed.value}
              onChange={(event) => setTyped({ snapshot, value: event.target.value })}
              disabled={pending}
              style={{ maxWidth: 160 }}
            />
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
          placeholder={words.reasonPlaceholder}
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

/** The action, its filter reaching protected branches too when `include` (ticked builds are never narrowed). */
function withProtectedBranches(action: BulkAction, include: boolean): BulkAction {
  if (!include || action.kind !== "cancel" || !("filter" in action.request)) return action;
  return {
    kind: "cancel",
    request: { ...action.request, filter: { ...action.request.filter, includeProtectedBranches: true } },
  };
}
