import type { Operation } from "@common/dto.ts";
import { useCallback, useState } from "react";
import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { PipelineHistory } from "../../features/history/components/pipeline-history.tsx";
import { BulkActionDialog } from "../../features/operations/components/bulk-action-dialog.tsx";
import { useOperationTracker } from "../../features/operations/hooks/use-operation-tracker.ts";
import type { BulkAction } from "../../lib/bulk-action.ts";

type Pending = { action: BulkAction; onAccepted: () => void };

/** The history page: the history feature shows and selects, the operations feature previews, confirms and follows. */
export function PipelineHistoryRoute() {
  const params = useParams();
  const project = params.project ?? "";
  const pipeline = params.pipeline ?? "";
  const { track } = useOperationTracker();
  const [pending, setPending] = useState<Pending | null>(null);

  const ask = useCallback((action: BulkAction, onAccepted: () => void) => setPending({ action, onAccepted }), []);
  const resume = useCallback((operations: Operation[]) => operations.forEach(track), [track]);

  return (
    <>
      <PageTitle parts={[pipeline, project]} />
      <PageBreadcrumb
        items={[{ title: project, to: `/projects/${encodeURIComponent(project)}` }, { title: pipeline }]}
      />
      <PipelineHistory
        key={`${project}/${pipeline}`}
        project={project}
        pipeline={pipeline}
        onBulkAction={ask}
        onRunningOperations={resume}
      />
      {pending && (
        <BulkActionDialog
          action={pending.action}
          project={project}
          pipeline={pipeline}
          onClose={() => setPending(null)}
          onAccepted={() => {
            pending.onAccepted();
            setPending(null);
          }}
        />
      )}
    </>
  );
}
