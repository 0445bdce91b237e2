import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ProjectNav } from "../../components/project-nav.tsx";
import { useProjectAccess } from "../../features/auth/hooks/use-project-access.ts";
import { OperationsCentre } from "../../features/operations/components/operations-centre.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

export function OperationsRoute() {
  const { t } = useI18n();
  const project = useParams().project ?? "";
  const access = useProjectAccess(project);
  return (
    <>
      <PageTitle parts={[t.operations.centre, project]} />
      <PageBreadcrumb
        items={[{ title: project, to: `/projects/${encodeURIComponent(project)}` }, { title: t.operations.centre }]}
      />
      <ProjectNav project={project} active="operations" canAudit={access?.permissions.canAudit ?? false} />
      <OperationsCentre key={project} project={project} />
    </>
  );
}
