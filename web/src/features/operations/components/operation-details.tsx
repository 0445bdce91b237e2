import { RedoOutlined } from "@ant-design/icons";
import { Button, Card, Descriptions, Flex, Progress, Statistic, Typography } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link } from "react-router";
import { Duration } from "../../../components/duration.tsx";
import { OperationStatusTag } from "../../../components/operation-status-tag.tsx";
import { ErrorState, LoadingState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { countKeys } from "../../../lib/operation-counts.ts";
import { useOperation } from "../api/get-operation.ts";
import { useOperationStream } from "../hooks/use-operation-stream.ts";
import { operationSelection, operationTitle, outcomeSummary } from "../utils/describe-operation.ts";
import { progressPercent } from "../utils/operation-progress.ts";
import { BulkActionDialog } from "./bulk-action-dialog.tsx";
import { OperationItemsTable } from "./operation-items-table.tsx";

type Props = {
  id: string;
  /** The user may trigger builds in the operation's project (undefined until known). */
  canRerun: boolean | undefined;
};

/**
 * An operation's page: who asked, when and why, its counts (live while it runs), every build's
 * outcome, and for a cancel "Re-run what this canceled".
 */
export function OperationDetails({ id, canRerun }: Props) {
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

  return (
    <Flex vertical gap={24}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
          {operationTitle(op, t)}
        </Typography.Title>
        <Flex gap={12} align="center" wrap>
          <OperationStatusTag status={op.status} counts={op.counts} />
          {op.kind === "cancel" && (
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
          ...(preview
            ? [
                {
                  key: "preview",
                  label: t.operations.preview,
                  children: t.operations.previewAt(dayjs(preview.at).format(t.time.exact)),
                },
              ]
            : []),
          { key: "by", label: t.operations.requestedBy, children: op.requestedBy },
          { key: "source", label: t.operations.source, children: t.operations.sources[op.source] },
          { key: "reason", label: t.operations.reason, children: op.reason || t.common.none },
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
            status={op.status === "running" ? "active" : op.counts.failed > 0 ? "exception" : "success"}
            aria-label={op.kind === "cancel" ? t.operations.progressLabel : t.operations.rerunProgressLabel}
          />
          <Typography.Text>{outcomeSummary(op, t)}</Typography.Text>
        </Flex>
      </Card>
      <OperationItemsTable id={op.id} kind={op.kind} running={op.status === "running"} />
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
