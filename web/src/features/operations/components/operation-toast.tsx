import type { Operation, OperationItem } from "@common/dto.ts";
import { useQuery } from "@tanstack/react-query";
import { Button, Flex, Progress, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { itemNote } from "../../../lib/cancel-note.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { randomId } from "../../../lib/random-id.ts";
import { useCreateCancellation } from "../api/create-cancellation.ts";
import { operationQueryOptions } from "../api/get-operation.ts";
import { failedItemsQueryOptions } from "../api/get-operation-items.ts";
import { useOperationStream } from "../hooks/use-operation-stream.ts";
import { outcomeSummary } from "../utils/describe-operation.ts";
import { doneCount, progressPercent } from "../utils/operation-progress.ts";

type Props = {
  id: string;
  onTrack: (operation: Operation) => void;
  onDone: (id: string) => void;
};

const SHOWN_FAILURES = 5;

/**
 * One antd notification (key = operation id) that follows the operation: a progress bar while it
 * runs, then a summary; failures stay as an error with their reasons and, for a cancel, a retry
 * that forces the stop. A re-run is complete when accepted: its toast is the summary.
 */
export function OperationToast({ id, onTrack, onDone }: Props) {
  const notification = useNotifications();
  const { t } = useI18n();
  // The tracker put the operation in the cache and the stream keeps it current: no fetch needed.
  const { data } = useQuery({ ...operationQueryOptions(id), staleTime: Number.POSITIVE_INFINITY });
  const operation = data?.operation;
  useOperationStream(operation);

  const hasFailures = operation?.status === "completed" && operation.counts.failed > 0;
  const failed = useQuery({ ...failedItemsQueryOptions(id), enabled: hasFailures });
  const [retryKey] = useState(randomId);
  const retry = useCreateCancellation({
    onSuccess: ({ operation: next }) => {
      notification.destroy(id);
      onTrack(next);
      onDone(id);
    },
  });

  useEffect(() => {
    if (!operation) return;
    const link = <Link to={`/operations/${encodeURIComponent(operation.id)}`}>{t.operations.view}</Link>;
    const common = { key: id, onClose: () => onDone(id) };

    const cancel = operation.kind === "cancel";
    if (operation.status === "running") {
      notification.open({
        ...common,
        role: "status",
        duration: 0,
        title: cancel ? t.operations.canceling(operation.total) : t.operations.rerunning(operation.total),
        description: (
          <Flex vertical gap={4}>
            <Progress
              percent={progressPercent(operation)}
              status="active"
              aria-label={cancel ? t.operations.progressLabel : t.operations.rerunProgressLabel}
            />
            <Typography.Text type="secondary">
              {t.operations.progress(doneCount(operation), operation.total)}
            </Typography.Text>
            {link}
          </Flex>
        ),
      });
      return;
    }

    const summary = <Typography.Text>{outcomeSummary(operation, t)}</Typography.Text>;
    if (operation.counts.failed === 0) {
      notification.success({
        ...common,
        role: "status",
        duration: 10,
        title: cancel ? t.operations.complete : t.operations.rerunComplete,
        description: (
          <Flex vertical gap={4}>
            {summary}
            {link}
          </Flex>
        ),
      });
      return;
    }

    const failedItems = failed.data ?? [];
    notification.error({
      ...common,
      duration: 0,
      title: cancel
        ? t.operations.finishedWithFailures(operation.counts.failed)
        : t.operations.rerunFailures(operation.counts.failed),
      description: (
        <Flex vertical gap={4}>
          {summary}
          <FailureList items={failedItems} t={t} />
          {retry.error && (
            <Typography.Text type="danger">{t.operations.retryFailed(errorMessage(retry.error, t))}</Typography.Text>
          )}
          {link}
        </Flex>
      ),
      // Retrying forces a stop: only cancels have one.
      actions: cancel && (
        <Button
          type="primary"
          danger
          loading={retry.isPending}
          disabled={failedItems.length === 0}
          title={t.operations.retryHint}
          onClick={() =>
            retry.mutate({
              project: operation.project,
              pipeline: operation.pipeline,
              request: { buildIds: failedItems.map((item) => item.buildId), force: true },
              idempotencyKey: retryKey,
            })
          }
        >
          {t.operations.retry(failedItems.length || operation.counts.failed)}
        </Button>
      ),
    });
  }, [operation, failed.data, retry.isPending, retry.error, retry.mutate, retryKey, id, notification, onDone, t]);

  return null;
}

function FailureList({ items, t }: { items: OperationItem[]; t: Messages }) {
  if (items.length === 0) return null;
  const rest = items.length - SHOWN_FAILURES;
  return (
    <ul style={{ margin: 0, paddingInlineStart: 18 }}>
      {items.slice(0, SHOWN_FAILURES).map((item) => (
        <li key={item.buildId}>
          {t.operations.failureLine(item.buildNumber, itemNote(item.note, t) ?? t.operations.unknownFailure)}
        </li>
      ))}
      {rest > 0 && <li>{t.dialog.andMore(rest)}</li>}
    </ul>
  );
}
