import { useMemo, useState } from "react";
import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ProjectNav } from "../../components/project-nav.tsx";
import { useProjectAccess } from "../../features/auth/hooks/use-project-access.ts";
import { BulkActionDialog } from "../../features/operations/components/bulk-action-dialog.tsx";
import { usePipelines } from "../../features/projects/api/get-pipelines.ts";
import { CancelScopeChoices } from "../../features/projects/components/cancel-scope-choices.tsx";
import { ProjectPipelines } from "../../features/projects/components/project-pipelines.tsx";
import { ALL_BUILDS, type CancelScope, cancelFilterOf } from "../../features/projects/utils/cancel-scope.ts";
import { ProjectRepositories } from "../../features/repositories/components/project-repositories.tsx";
import type { BulkAction } from "../../lib/bulk-action.ts";

export function ProjectRoute() {
  const project = useParams().project ?? "";
  const access = useProjectAccess(project);
  const [canceling, setCanceling] = useState(false);
  return (
    <>
      <PageTitle parts={[project]} />
      <PageBreadcrumb items={[{ title: project }]} />
      <ProjectNav project={project} active="pipelines" canAudit={access?.permissions.canAudit ?? false} />
      <ProjectPipelines key={project} project={project} onCancelRunning={() => setCanceling(true)} />
      {access?.permissions.canEdit && <ProjectRepositories key={`repositories-${project}`} project={project} />}
      {canceling && <CancelRunningDialog project={project} onClose={() => setCanceling(false)} />}
    </>
  );
}

/** "Cancel running builds…" across the project: the projects feature's choices over the operations feature's preview. */
function CancelRunningDialog({ project, onClose }: { project: string; onClose: () => void }) {
  const pipelines = usePipelines(project).data?.items ?? [];
  const [scope, setScope] = useState<CancelScope>(ALL_BUILDS);
  const action = useMemo<BulkAction>(() => ({ kind: "cancel", request: { filter: cancelFilterOf(scope) } }), [scope]);
  const branches = pipelines.flatMap((p) => (p.lastBuild ? [p.lastBuild.branch] : []));
  return (
    <BulkActionDialog
      action={action}
      project={project}
      pipeline={null}
      choices={
        <CancelScopeChoices
          value={scope}
          onChange={setScope}
          pipelines={pipelines.map((p) => p.name)}
          branches={branches}
        />
      }
      onClose={onClose}
      onAccepted={onClose}
    />
  );
}
