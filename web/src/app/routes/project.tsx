import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ProjectNav } from "../../components/project-nav.tsx";
import { useProjectAccess } from "../../features/auth/hooks/use-project-access.ts";
import { ProjectPipelines } from "../../features/projects/components/project-pipelines.tsx";

export function ProjectRoute() {
  const project = useParams().project ?? "";
  const access = useProjectAccess(project);
  return (
    <>
      <PageTitle parts={[project]} />
      <PageBreadcrumb items={[{ title: project }]} />
      <ProjectNav project={project} active="pipelines" canAudit={access?.permissions.canAudit ?? false} />
      <ProjectPipelines key={project} project={project} />
    </>
  );
}
