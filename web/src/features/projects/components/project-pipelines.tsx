import { StopOutlined } from "@ant-design/icons";
import { Button, Flex, Typography } from "antd";
import { Link } from "react-router";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { ErrorState } from "../../../components/query-states.tsx";
import { WhyDisabled } from "../../../components/why-disabled.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { usePipelines } from "../api/get-pipelines.ts";
import { useProjectEvents } from "../hooks/use-project-events.ts";
import { PipelineTable } from "./pipeline-table.tsx";

type Props = {
  project: string;
  /** "Cancel running builds…": the page asks which ones, previews and confirms. */
  onCancelRunning: () => void;
};

/** A project's page: its pipelines with live running and queued counts and the last build's status. */
export function ProjectPipelines({ project, onCancelRunning }: Props) {
  const { t } = useI18n();
  const pipelines = usePipelines(project);
  const stream = useProjectEvents(project);
  if (pipelines.isError && !pipelines.data)
    return <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  const info = pipelines.data?.project;
  const active = (pipelines.data?.items ?? []).reduce((n, p) => n + p.active.queued + p.active.running, 0);
  const cancelWhy = !info
    ? null
    : !info.permissions.canCancel
      ? t.history.noPermission
      : active === 0
        ? t.history.nothingRunning
        : null;
  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
            {info?.displayName ?? project}
          </Typography.Title>
          {info && <Typography.Text type="secondary">{t.projects.role(t.roles[info.role])}</Typography.Text>}
        </div>
        <Flex align="center" gap={12}>
          {info?.permissions.canEdit && (
            <Link to={`/projects/${encodeURIComponent(project)}/settings/webhooks`}>{t.webhooks.link}</Link>
          )}
          <WhyDisabled why={cancelWhy}>
            <Button
              danger
              icon={<StopOutlined aria-hidden />}
              disabled={!info || cancelWhy !== null}
              onClick={onCancelRunning}
            >
              {t.projects.cancelRunning}
            </Button>
          </WhyDisabled>
          <LiveBadge state={stream} />
        </Flex>
      </Flex>
      <PipelineTable project={project} pipelines={pipelines.data?.items} loading={pipelines.isPending} />
    </Flex>
  );
}
