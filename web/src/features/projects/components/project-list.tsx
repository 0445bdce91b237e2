import type { ProjectAccess } from "@common/bff-api.ts";
import { Card, Flex, Typography } from "antd";
import { Link } from "react-router";
import { EmptyState, ErrorState } from "../../../components/query-states.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { usePipelines } from "../api/get-pipelines.ts";
import { PipelineTable } from "./pipeline-table.tsx";

/** The overview polls: a live stream per project would exhaust the browser's few connections per host. */
const OVERVIEW_REFRESH_MS = 10_000;

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
        projects.map((project) => <ProjectCard key={project.name} project={project} />)
      )}
    </Flex>
  );
}

function ProjectCard({ project }: { project: ProjectAccess }) {
  const { t } = useI18n();
  const pipelines = usePipelines(project.name, { refreshMs: OVERVIEW_REFRESH_MS });
  return (
    <Card
      title={<Link to={`/projects/${encodeURIComponent(project.name)}`}>{project.displayName}</Link>}
      extra={<Typography.Text type="secondary">{t.projects.role(t.roles[project.role])}</Typography.Text>}
    >
      {pipelines.isError && !pipelines.data ? (
        <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />
      ) : (
        <PipelineTable project={project.name} pipelines={pipelines.data?.items} loading={pipelines.isPending} />
      )}
    </Card>
  );
}
