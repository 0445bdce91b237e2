import { Result } from "antd";
import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ProjectNav } from "../../components/project-nav.tsx";
import { AuditLog } from "../../features/audit/components/audit-log.tsx";
import { useProjectAccess } from "../../features/auth/hooks/use-project-access.ts";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

/** The audit log, for maintainers and admins; anyone else is told why there is nothing here (the server refuses too). */
export function AuditRoute() {
  const { t } = useI18n();
  const project = useParams().project ?? "";
  const access = useProjectAccess(project);
  const allowed = access?.permissions.canAudit ?? false;
  return (
    <>
      <PageTitle parts={[t.audit.title, project]} />
      <PageBreadcrumb
        items={[{ title: project, to: `/projects/${encodeURIComponent(project)}` }, { title: t.audit.title }]}
      />
      <ProjectNav project={project} active="audit" canAudit={allowed} />
      {allowed ? (
        <AuditLog key={project} project={project} />
      ) : (
        <Result status="403" title={t.audit.forbiddenTitle} subTitle={t.audit.forbidden} />
      )}
    </>
  );
}
