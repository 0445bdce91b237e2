import { PageTitle } from "../../components/page-title.tsx";
import { useMe } from "../../features/auth/api/get-me.ts";
import { CATALOG_REFRESH_MS, ProjectList } from "../../features/projects/components/project-list.tsx";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";

export function ProjectsRoute() {
  // The session layout only renders once `me` has loaded.
  const { t } = useI18n();
  // No event announces a new project: the list of them is read again now and then.
  const me = useMe({ refreshMs: CATALOG_REFRESH_MS });
  return (
    <>
      <PageTitle parts={[t.projects.title]} />
      <ProjectList projects={me.data?.projects ?? []} />
    </>
  );
}
