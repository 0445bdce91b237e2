import { useCallback } from "react";
import { useParams } from "react-router";
import type { CancellationRequest } from "../../../../common/bff-api.ts";
import type { Operation } from "../../../../common/dto.ts";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { PipelineHistory } from "../../features/history/components/pipeline-history.tsx";
import { useCreateCancellation } from "../../features/operations/api/create-cancellation.ts";
import { useOperationTracker } from "../../features/operations/hooks/use-operation-tracker.ts";

/** The history page: the history feature shows and selects, the operations feature cancels and follows. */
export function PipelineHistoryRoute() {
  const params = useParams();
  const project = params.project ?? "";
  const pipeline = params.pipeline ?? "";
  const { track } = useOperationTracker();
  const { mutateAsync } = useCreateCancellation({ onSuccess: ({ operation }) => track(operation) });

  const cancel = useCallback(
    (request: CancellationRequest, idempotencyKey: string) =>
      mutateAsync({ project, pipeline, request, idempotencyKey }),
    [mutateAsync, project, pipeline],
  );
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
        onCancel={cancel}
        onRunningOperations={resume}
      />
    </>
  );
}
