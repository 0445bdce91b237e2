import type { ProjectAccess } from "@common/bff-api.ts";
import { Card, Flex, Typography } from "antd";
import { Link } from "react-router";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { usePipelines } from "../api/get-pipelines.ts";
import { useProjectEvents } from "../hooks/use-project-events.ts";
import { PipelineTable } from "./pipeline-table.tsx";

/**
 * Projects followed live, each a topic on the browser's one stream (which carries at most
 * MAX_STREAM_TOPICS, shared with the toasts and the other tabs); the ones past it poll.
 */
const LIVE_PROJECTS = 20;
const POLL_MS = 10_000;
/** No event announces a pipeline before its first build, so a live project's list is also read again this often. */
export const CATALOG_REFRESH_MS = 30_000;

export function ProjectList({ projects }: { projects: readonly ProjectAccess[] }) {
  const { t } = useI18n();
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
        {t.projects.title}
      </Typography.Title>
      {projects.length === 0 ? (
        <EmptyState>{t.projects.empty}</EmptyState>
      ) : (
        projects.map((project, i) => <ProjectCard key={project.name} project={project} live={i < LIVE_PROJECTS} />)
      )}
    </Flex>
  );
}

function ProjectCard({ project, live }: { project: ProjectAccess; live: boolean }) {
  const { t } = useI18n();
  const pipelines = usePipelines(project.name, { refreshMs: live ? CATALOG_REFRESH_MS : POLL_MS });
  const stream = useProjectEvents(live ? project.name : null);
  return (
    <Card
      title={<Link to={`/projects/${encodeURIComponent(project.name)}`}>{project.displayName}</Link>}
      extra={
        <Flex align="center" gap={12}>
          <Typography.Text type="secondary">{t.projects.role(t.roles[project.role])}</Typography.Text>
          {live && <LiveBadge state={stream} />}
        </Flex>
      }
    >
      {pipelines.isError && !pipelines.data ? (
        <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />
      ) : (
        <PipelineTable project={project.name} pipelines={pipelines.data?.items} loading={pipelines.isPending} />
      )}
    </Card>
  );
}
