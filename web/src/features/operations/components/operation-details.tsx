import { RedoOutlined } from "@ant-design/icons";
import type { Operation } from "@common/dto.ts";
import { Button, Card, Descriptions, Flex, Progress, Statistic, Typography } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link } from "react-router";
import { Duration } from "../../../components/duration.tsx";
import { OperationStatusTag } from "../../../components/operation-status-tag.tsx";
import { ErrorState, LoadingState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { reasonText } from "../../../lib/cancel-note.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { countKeys, kindView } from "../../../lib/operation-kinds.ts";
import { useOperation } from "../api/get-operation.ts";
import { useOperationStream } from "../hooks/use-operation-stream.ts";
import {
  operationImpact,
  operationSelection,
  operationSource,
  operationTitle,
  outcomeSummary,
} from "../utils/describe-operation.ts";
import { progressPercent } from "../utils/operation-progress.ts";
import { BulkActionDialog } from "./bulk-action-dialog.tsx";
import { OperationItemsTable } from "./operation-items-table.tsx";

type Props = {
  id: string;
  /** The user may trigger builds in the operation's project (undefined until known). */
  canRerun: boolean | undefined;
  /** The user may cancel builds in the operation's project: Force stop now on its stuck builds. */
  canForce?: boolean | undefined;
};

/**
 * An operation's page: who asked, when and why, its counts (live while it runs), every build's
 * outcome, and for a cancel "Re-run what this canceled".
 */
export function OperationDetails({ id, canRerun, canForce = false }: Props) {
  const { t } = useI18n();
  const query = useOperation(id);
  useOperationStream(query.data?.operation);
  const [rerunning, setRerunning] = useState(false);

  if (query.isPending) return <LoadingState />;
  // A failed refresh keeps showing what we have; only a failed first load is an error page.
  if (!query.data) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const op = query.data.operation;
  const keys = countKeys(op.kind);
  const preview = op.selection?.preview;
  const impact = operationImpact(op, t);

  return (
    <Flex vertical gap={24}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
          {operationTitle(op, t)}
        </Typography.Title>
        <Flex gap={12} align="center" wrap>
          <OperationStatusTag kind={op.kind} status={op.status} counts={op.counts} />
          {kindView(op.kind).rerunnable && op.rerunBy !== null && (
            <Link to={`/operations/${encodeURIComponent(op.rerunBy)}`}>
              <RedoOutlined aria-hidden /> {t.operations.viewRerun}
            </Link>
          )}
          {kindView(op.kind).rerunnable && op.rerunBy === null && (
            <RerunCanceledButton
              why={
                canRerun === false
                  ? t.history.noRerunPermission
                  : op.counts.canceled === 0
                    ? t.operations.nothingCanceled
                    : null
              }
              loading={canRerun === undefined}
              onClick={() => setRerunning(true)}
            />
          )}
        </Flex>
      </Flex>
      <Descriptions
        role="group"
        aria-label={operationTitle(op, t)}
        size="small"
        column={{ xs: 1, sm: 2, lg: 3 }}
        items={[
          {
            key: "pipeline",
            label: t.operations.pipeline,
            children: op.pipeline ? (
              <Link to={`/projects/${encodeURIComponent(op.project)}/pipelines/${encodeURIComponent(op.pipeline)}`}>
                {op.project} / {op.pipeline}
              </Link>
            ) : (
              <Link to={`/projects/${encodeURIComponent(op.project)}`}>{op.project}</Link>
            ),
          },
          { key: "scope", label: t.operations.scope, children: operationSelection(op, t) },
          ...(impact ? [{ key: "impact", label: t.operations.impact, children: impact }] : []),
          ...(preview
            ? [
                {
                  key: "preview",
                  label: t.operations.preview,
                  children: t.operations.previewAt(dayjs(preview.at).format(t.time.exact)),
                },
              ]
            : []),
          ...(op.rerunOf !== null
            ? [
                {
                  key: "rerun-of",
                  label: t.operations.rerunOf,
                  children: (
                    <Link to={`/operations/${encodeURIComponent(op.rerunOf)}`}>{t.operations.rerunOfLink}</Link>
                  ),
                },
              ]
            : []),
          ...(op.rerunBy !== null
            ? [
                {
                  key: "rerun-by",
                  label: t.operations.rerunBy,
                  children: <Link to={`/operations/${encodeURIComponent(op.rerunBy)}`}>{t.operations.rerunLink}</Link>,
                },
              ]
            : []),
          { key: "by", label: t.operations.requestedBy, children: op.requestedBy },
          { key: "source", label: t.operations.source, children: operationSource(op, t) },
          { key: "reason", label: t.operations.reason, children: reasonText(op.reason, t) ?? t.common.none },
          { key: "created", label: t.operations.created, children: <RelativeTime value={op.createdAt} /> },
          {
            key: "completed",
            label: t.operations.completed,
            children: op.completedAt ? <RelativeTime value={op.completedAt} /> : t.operations.stillRunning,
          },
          {
            key: "duration",
            label: t.operations.duration,
            children: <Duration from={op.createdAt} to={op.completedAt} />,
          },
        ]}
      />
      <Card>
        <Flex vertical gap={16}>
          <Flex gap={48} wrap>
            <Statistic title={t.operations.total} value={op.total} />
            {keys.map((key) => (
              <Statistic key={key} title={t.operations.counts[key]} value={op.counts[key]} />
            ))}
          </Flex>
          <Progress
            percent={progressPercent(op)}
            status={progressStatus(op)}
            aria-label={kindView(op.kind).texts(t).progressLabel}
          />
          <Typography.Text>{outcomeSummary(op, t)}</Typography.Text>
          {(op.stuck ?? 0) > 0 && (
            <Typography.Text type="warning" title={t.operations.slowToStopHint}>
              {t.operations.slowToStop(op.stuck ?? 0)}
            </Typography.Text>
          )}
        </Flex>
      </Card>
      <OperationItemsTable
        id={op.id}
        project={op.project}
        kind={op.kind}
        running={op.status === "running"}
        canForce={canForce}
      />
      {rerunning && (
        <BulkActionDialog
          action={{ kind: "rerun", request: { fromOperation: op.id } }}
          project={op.project}
          pipeline={op.pipeline}
          onClose={() => setRerunning(false)}
          onAccepted={() => setRerunning(false)}
        />
      )}
    </Flex>
  );
}

function RerunCanceledButton({ why, loading, onClick }: { why: string | null; loading: boolean; onClick: () => void }) {
  const { t } = useI18n();
  return (
    <WhyDisabled why={why}>
      <Button icon={<RedoOutlined aria-hidden />} disabled={loading || why !== null} onClick={onClick}>
        {t.operations.rerunCanceled}
      </Button>
    </WhyDisabled>
  );
}

/** A cancel that canceled nothing (all protected, or finished first) is not shown as a success. */
function progressStatus(op: Operation): "active" | "exception" | "success" | "normal" {
  if (op.status === "running") return "active";
  if (op.counts.failed > 0) return "exception";
  return kindView(op.kind).didNothing(op.counts) ? "normal" : "success";
}
