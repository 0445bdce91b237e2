import type { Operation, OperationItem } from "@common/dto.ts";
import { useQuery } from "@tanstack/react-query";
import { Button, Flex, Progress, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { Link } from "react-router";
import { itemNote } from "../../../lib/cancel-note.ts";
import { errorMessage } from "../../../lib/error-message.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useNotifications } from "../../../lib/notifications.tsx";
import { kindView } from "../../../lib/operation-kinds.ts";
import { randomId } from "../../../lib/random-id.ts";
import { useCreateCancellation } from "../api/create-cancellation.ts";
import { operationQueryOptions } from "../api/get-operation.ts";
import { failedItemsQueryOptions } from "../api/get-operation-items.ts";
import { useOperationStream } from "../hooks/use-operation-stream.ts";
import { outcomeSummary } from "../utils/describe-operation.ts";
import { doneCount, progressPercent } from "../utils/operation-progress.ts";

type Props = {
  id: string;
  /** It was still running when tracked: its progress shows before its summary, however fast it ends. */
  startedRunning: boolean;
  onTrack: (operation: Operation) => void;
  onDone: (id: string) => void;
};

const SHOWN_FAILURES = 5;
/** How long a cancel that ends at once still shows its (full) progress before the summary. */
const MIN_PROGRESS_MS = 800;

/**
 * One antd notification (key = operation id) that follows the operation: a progress bar while it
 * runs, then a summary; failures stay as an error with their reasons and, for a cancel, a retry
 * that forces the stop. A re-run is complete when accepted: its toast is the summary.
 */
export function OperationToast({ id, startedRunning, onTrack, onDone }: Props) {
  const notification = useNotifications();
  const { t } = useI18n();
  // The tracker put the operation in the cache and the stream keeps it current: no fetch needed.
  const { data } = useQuery({ ...operationQueryOptions(id), staleTime: Number.POSITIVE_INFINITY });
  const latest = data?.operation;
  useOperationStream(latest);
  const [holding, setHolding] = useState(startedRunning);
  useEffect(() => {
    if (!holding) return;
    const timer = setTimeout(() => setHolding(false), MIN_PROGRESS_MS);
    return () => clearTimeout(timer);
  }, [holding]);
  // Shown as still running (at 100%) for a moment, so a cancel that ends at once is seen to progress.
  const operation = useMemo<Operation | undefined>(
    () => (holding && latest?.status === "completed" ? { ...latest, status: "running", completedAt: null } : latest),
    [holding, latest],
  );

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

    const view = kindView(operation.kind);
    const texts = view.texts(t);
    if (operation.status === "running") {
      notification.open({
        ...common,
        role: "status",
        duration: 0,
        title: texts.running(operation.total),
        description: (
          <Flex vertical gap={4}>
            <Progress percent={progressPercent(operation)} status="active" aria-label={texts.progressLabel} />
            <Typography.Text type="secondary">
              {t.operations.progress(doneCount(operation), operation.total)}
            </Typography.Text>
            {(operation.stuck ?? 0) > 0 && (
              <Typography.Text type="warning" title={t.operations.slowToStopHint}>
                {t.operations.slowToStop(operation.stuck ?? 0)}
              </Typography.Text>
            )}
            {link}
          </Flex>
        ),
      });
      return;
    }

    const summary = <Typography.Text>{outcomeSummary(operation, t)}</Typography.Text>;
    // A cancel that stopped nothing (all protected, or finished first) is not a success to celebrate.
    if (operation.counts.failed === 0 && view.didNothing(operation.counts)) {
      notification.warning({
        ...common,
        role: "status",
        duration: 10,
        title: t.operations.nothingCanceledTitle,
        description: (
          <Flex vertical gap={4}>
            {summary}
            {link}
          </Flex>
        ),
      });
      return;
    }
    if (operation.counts.failed === 0) {
      notification.success({
        ...common,
        role: "status",
        duration: 10,
        title: texts.complete,
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
      title: texts.finishedWithFailures(operation.counts.failed),
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
      // Retrying forces a stop: only kinds that stop builds have one.
      actions: view.stops && (
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
