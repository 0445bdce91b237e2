import type { BuildDetail } from "@common/dto.ts";
import { useCallback } from "react";
import { Navigate, useParams } from "react-router";
import { PageBreadcrumb } from "../../components/page-breadcrumb.tsx";
import { PageTitle } from "../../components/page-title.tsx";
import { ErrorState, LoadingState } from "../../components/query-states.tsx";
import { useBuild, useBuildNumber } from "../../features/builds/api/get-build.ts";
import { BuildView } from "../../features/builds/components/build-view.tsx";
import { useCreateCancellation } from "../../features/operations/api/create-cancellation.ts";
import { useOperationTracker } from "../../features/operations/hooks/use-operation-tracker.ts";
import { isApiError } from "../../lib/api-client.ts";
import { buildPath } from "../../lib/build-path.ts";
import { useI18n } from "../../lib/i18n/i18n-provider.tsx";
import { NotFoundRoute } from "./not-found.tsx";

const validNumber = (n: number) => Number.isSafeInteger(n) && n > 0;

/** `/projects/{project}/pipelines/{pipeline}/builds/{number}`: a build by the number people see. */
export function BuildRoute() {
  const params = useParams();
  const project = params.project ?? "";
  const pipeline = params.pipeline ?? "";
  const number = Number(params.number);
  const resolved = useBuildNumber(project, pipeline, number);

  if (!validNumber(number)) return <NotFoundRoute />;
  if (resolved.isPending) return <LoadingState />;
  if (resolved.isError) {
    if (isApiError(resolved.error) && resolved.error.status === 404) return <NotFoundRoute />;
    return <ErrorState error={resolved.error} onRetry={() => void resolved.refetch()} />;
  }
  return <BuildPage id={resolved.data} />;
}

/** `/builds/{id}`, the old address: moves to the build's number address. */
export function BuildIdRoute() {
  const id = Number(useParams().id);
  const query = useBuild(validNumber(id) ? id : 0);

  if (!validNumber(id)) return <NotFoundRoute />;
  if (query.data) return <Navigate replace to={buildPath(query.data.build)} />;
  if (query.isError) {
    if (isApiError(query.error) && query.error.status === 404) return <NotFoundRoute />;
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  return <LoadingState />;
}

function BuildPage({ id }: { id: number }) {
  const { t } = useI18n();
  const { track } = useOperationTracker();
  const { mutateAsync } = useCreateCancellation({ onSuccess: ({ operation }) => track(operation) });
  const build = useBuild(id).data?.build;

  const cancel = useCallback(
    (target: BuildDetail, force: boolean, idempotencyKey: string, reason?: string) =>
      mutateAsync({
        project: target.project,
        pipeline: target.pipeline,
        request: {
          buildIds: [target.id],
          ...(force ? { force: true } : {}),
          ...(reason ? { reason } : {}),
        },
        idempotencyKey,
      }),
    [mutateAsync],
  );

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
