import type { BuildDetail } from "@common/dto.ts";
import { useCallback } from "react";
import { useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { useBuild } from "../../features/builds/api/get-build.ts";
import { BuildView } from "../../features/builds/components/build-view.tsx";
import { useCreateCancellation } from "../../features/operations/api/create-cancellation.ts";
import { useOperationTracker } from "../../features/operations/hooks/use-operation-tracker.ts";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";
import { NotFoundRoute } from "./not-found.tsx";

export function BuildRoute() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const { track } = useOperationTracker();
  const { mutateAsync } = useCreateCancellation({ onSuccess: ({ operation }) => track(operation) });
  const build = useBuild(id).data?.build;

  const cancel = useCallback(
    (target: BuildDetail, force: boolean, idempotencyKey: string) =>
      mutateAsync({
        project: target.project,
        pipeline: target.pipeline,
        request: force ? { buildIds: [target.id], force: true } : { buildIds: [target.id] },
        idempotencyKey,
      }),
    [mutateAsync],
  );

  if (!Number.isSafeInteger(id) || id <= 0) return <NotFoundRoute />;
  return (
    <>
      <PageTitle parts={[build && t.build.title(build.pipeline, build.number), build?.project]} />
      {build && (
        <PageBreadcrumb
          items={[
            { title: build.project, to: `/projects/${encodeURIComponent(build.project)}` },
            {
              title: build.pipeline,
              to: `/projects/${encodeURIComponent(build.project)}/pipelines/${encodeURIComponent(build.pipeline)}`,
            },
            { title: t.build.title(build.pipeline, build.number) },
          ]}
        />
      )}
      <BuildView key={id} id={id} onCancel={cancel} />
    </>
  );
}
