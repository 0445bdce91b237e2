import { Alert, Button, Flex, Input, Modal, Spin, Typography } from "antd";
import { useRef, useState } from "react";
import { MAX_REASON_LENGTH } from "../../../../../common/constants.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { randomId } from "../../../lib/random-id.ts";

export type PreviewBuild = { id: number; number: number; branch: string };

type Props = {
  /** How many builds the cancel targets; null while they are still being listed. */
  count: number | null;
  /** How many of them are running and how many queued (queued ones cancel at once, running ones stop). */
  byStatus: { running: number; queued: number } | null;
  /** The first few targets (newest first), to show what is about to stop. */
  preview: readonly PreviewBuild[];
  /** Targets the user cannot see on this page. */
  offScreen: number;
  /** Resolves once the server accepted the cancel; the same key for every attempt from this dialog. */
  onConfirm: (reason: string | undefined, idempotencyKey: string) => Promise<unknown>;
  onClose: () => void;
  /** Listing the targets failed. */
  loadError?: unknown;
};

const PREVIEW_SIZE = 5;

/**
 * Mounted while open. Focus starts on "Keep running" so that Enter cannot confirm by accident;
 * the reason is a textarea, where Enter is a new line.
 */
export function CancelDialog({ count, byStatus, preview, offScreen, onConfirm, onClose, loadError }: Props) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const [idempotencyKey] = useState(randomId);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keepRef = useRef<HTMLButtonElement>(null);

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm(reason.trim() || undefined, idempotencyKey);
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  const shown = preview.slice(0, PREVIEW_SIZE);
  const rest = (count ?? 0) - shown.length;
  const ready = count !== null && count > 0;

  return (
    <Modal
      open
      title={loadError ? t.dialog.loadFailedTitle : count === null ? t.dialog.resolving : t.dialog.title(count)}
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
            {t.dialog.keep}
          </Button>
          <Button type="primary" danger loading={pending} disabled={!ready} onClick={confirm}>
            {t.dialog.confirm(count ?? 0)}
          </Button>
        </Flex>
      }
    >
      {count === null && !loadError ? (
        <Flex justify="center" style={{ padding: 24 }} role="status">
          <Spin />
          <Typography.Text style={{ marginInlineStart: 12 }}>{t.dialog.resolving}</Typography.Text>
        </Flex>
      ) : (
        <Flex vertical gap={12}>
          {loadError ? <Alert type="error" showIcon role="alert" title={errorMessage(loadError, t)} /> : null}
          {count !== null && <Typography.Paragraph style={{ margin: 0 }}>{t.dialog.intro(count)}</Typography.Paragraph>}
          {count !== null && byStatus && (
            <Typography.Paragraph strong style={{ margin: 0 }}>
              {t.dialog.byStatus(byStatus.running, byStatus.queued)}
            </Typography.Paragraph>
          )}
          {shown.length > 0 && (
            <ul aria-label={t.dialog.preview} style={{ margin: 0, paddingInlineStart: 20 }}>
              {shown.map((build) => (
                <li key={build.id}>
                  <Typography.Text strong>#{build.number}</Typography.Text>{" "}
                  <Typography.Text type="secondary">{build.branch}</Typography.Text>
                </li>
              ))}
              {rest > 0 && <li>{t.dialog.andMore(rest)}</li>}
            </ul>
          )}
          {offScreen > 0 && <Alert type="warning" showIcon role="note" title={t.dialog.offScreen(offScreen)} />}
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t.dialog.finishedLeftAlone}
          </Typography.Paragraph>
          <label htmlFor="cancel-reason">
            <Typography.Text>{t.dialog.reason}</Typography.Text>
          </label>
          <Input.TextArea
            id="cancel-reason"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            maxLength={MAX_REASON_LENGTH}
            placeholder={t.dialog.reasonPlaceholder}
            rows={3}
            disabled={pending}
          />
          {error ? <Alert type="error" showIcon role="alert" title={t.dialog.failed(errorMessage(error, t))} /> : null}
        </Flex>
      )}
    </Modal>
  );
}
