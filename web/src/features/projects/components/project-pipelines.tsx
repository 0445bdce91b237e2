import { Flex, Typography } from "antd";
import { Link } from "react-router";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { ErrorState } from "../../../components/query-states.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { usePipelines } from "../api/get-pipelines.ts";
import { useProjectEvents } from "../hooks/use-project-events.ts";
import { PipelineTable } from "./pipeline-table.tsx";

/** A project's page: its pipelines with live running and queued counts and the last build's status. */
export function ProjectPipelines({ project }: { project: string }) {
  const { t } = useI18n();
  const pipelines = usePipelines(project);
  const stream = useProjectEvents(project);
  if (pipelines.isError && !pipelines.data)
    return <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  const info = pipelines.data?.project;
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
          <LiveBadge state={stream} />
        </Flex>
      </Flex>
      <PipelineTable project={project} pipelines={pipelines.data?.items} loading={pipelines.isPending} />
    </Flex>
  );
}
