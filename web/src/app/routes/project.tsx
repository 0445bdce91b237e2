import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ProjectPipelines } from "../../features/projects/components/project-pipelines.tsx";

export function ProjectRoute() {
  const project = useParams().project ?? "";
  return (
    <>
      <PageTitle parts={[project]} />
      <PageBreadcrumb items={[{ title: project }]} />
      <ProjectPipelines key={project} project={project} />
    </>
  );
}
